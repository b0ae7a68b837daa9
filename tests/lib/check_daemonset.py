#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# check_daemonset.py - deploy/kubernetes/daemonset.yaml read offline and held against the image
# it runs (its ENTRYPOINT, tag) and the capabilities of the systemd unit (what the tracer was
# measured to need), plus the fields issue 11 asks for. Prints ok / not ok lines (tslib.Results).
# usage: check_daemonset.py YAML IMAGE-INSPECT-JSON VERSION "CAP_A CAP_B ..."
import json
import sys

import yaml

import tslib

path, inspect_path, version, unit_caps = sys.argv[1:5]
R = tslib.Results()
docs = [d for d in yaml.safe_load_all(open(path)) if d]
by_kind = {d["kind"]: d for d in docs}
R.eq(sorted(by_kind), ["DaemonSet", "Namespace", "ServiceAccount"], "the manifest's objects")
ds, ns, sa = by_kind["DaemonSet"], by_kind["Namespace"], by_kind["ServiceAccount"]
nsname = ns["metadata"]["name"]
R.eq((ds["metadata"]["namespace"], sa["metadata"]["namespace"]), (nsname, nsname),
     "DaemonSet and ServiceAccount in the manifest's namespace")
spec = ds["spec"]
pod = spec["template"]["spec"]
labels = spec["template"]["metadata"]["labels"]
R.check(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
        "the selector matches the pod template's labels", spec["selector"], labels)
R.eq(pod.get("serviceAccountName"), sa["metadata"]["name"], "the pods run as the ServiceAccount")
R.eq(pod.get("automountServiceAccountToken"), False, "no API token mounted")
R.eq(pod.get("hostPID"), True, "hostPID: true (owners' pids are the host's)")
R.eq(pod.get("hostNetwork", False), False, "hostNetwork not used")
R.check({"operator": "Exists"} in pod.get("tolerations", []), "a toleration of every taint",
        pod.get("tolerations"))
R.check(pod.get("terminationGracePeriodSeconds", 0) >= 10,
        "terminationGracePeriodSeconds leaves time for the summary (%s)"
        % pod.get("terminationGracePeriodSeconds"))

R.eq(len(pod["containers"]), 1, "one container")
c = pod["containers"][0]
img = json.load(open(inspect_path))[0]["Config"]
R.eq(c["image"].rsplit("/", 1)[-1], "tcpstates-c:" + version, "the image is tcpstates-c:VERSION")
R.check("command" not in c, "no command: the image's ENTRYPOINT runs", c.get("command"))
argv = img["Entrypoint"] + c.get("args", [])
R.eq(argv[:2], ["/usr/sbin/tcpstates-c", "-j"], "the tracer runs with -j (JSON lines to stdout)")
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
vols = {v["name"]: v for v in pod.get("volumes", [])}
metrics = argv[argv.index("--metrics-file") + 1] if "--metrics-file" in argv else None
mdir = metrics.rsplit("/", 1)[0] if metrics else None
R.check(mdir in mounts and not mounts[mdir].get("readOnly")
        and "hostPath" in vols.get(mounts[mdir]["name"], {}),
        "--metrics-file %s is in a writable hostPath volume" % metrics)

for p in ("/sys/kernel/btf", "/sys/fs/cgroup", "/sys/kernel/tracing", "/var/log/containers",
          "/var/log/pods", "/var/lib/docker/containers"):
    m = mounts.get(p, {})
    host = vols.get(m.get("name"), {}).get("hostPath", {}).get("path")
    R.check(m.get("readOnly") is True and host == p, "the host's %s mounted read only" % p, m, host)

sc = c.get("securityContext", {})
R.eq(sc.get("privileged"), False, "not privileged")
R.eq(sc.get("allowPrivilegeEscalation"), False, "allowPrivilegeEscalation: false (no_new_privs)")
R.eq(sc.get("readOnlyRootFilesystem"), True, "readOnlyRootFilesystem")
caps = sc.get("capabilities", {})
R.eq(caps.get("drop"), ["ALL"], "capabilities: drop ALL")
want = {cap[len("CAP_"):] for cap in unit_caps.split()} | {"SYS_RESOURCE"}
R.eq(sorted(caps.get("add", [])), sorted(want),
     "capabilities added: the unit's bounding set, and SYS_RESOURCE for memlock before 5.11")
res = c.get("resources", {})
R.check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory")
        and res.get("limits", {}).get("memory"), "cpu and memory requested, memory limited", res)
print("# argv: " + " ".join(argv))
R.done()
