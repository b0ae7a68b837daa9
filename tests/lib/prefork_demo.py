#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# prefork_demo.py - listener in the parent, accept() in a forked worker, a client in a third process:
# the scenario of docs/owners.md where current-task tracers name the wrong process.
import socket,time,os,sys
s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); p=s.getsockname()[1]
pid=os.fork()
if pid==0:
    a,_=s.accept(); a.recv(10); time.sleep(0.3); a.close(); os._exit(0)
def client():
    c=socket.create_connection(('127.0.0.1',p)); c.send(b'GET'); time.sleep(0.1); c.close(); os._exit(0)
cp=os.fork()
if cp==0: client()
os.waitpid(cp,0); os.waitpid(pid,0); s.close()
print('server',os.getpid(),'worker',pid,'client',cp,'port',p, file=sys.stderr)
