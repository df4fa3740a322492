# The compatibility suite's checks with Debian's python3-kubernetes: CRUD, a watch and an exec
# against the namespace and busybox pod the suite made. Prints one JSON line per check,
# {"name": ..., "ok": true} or {"name": ..., "ok": false, "error": ...}, and exits 0: the
# TypeScript side turns each line into a test step.
import json
import sys
import threading
import time
import traceback

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import portforward, stream

kubeconfig, ns, pod = sys.argv[1], sys.argv[2], sys.argv[3]
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()


def crud():
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-crud", labels={"compat": "python"}), data={"a": "1"})
    core.create_namespaced_config_map(ns, body)
    assert core.read_namespaced_config_map("py-crud", ns).data["a"] == "1"
    core.patch_namespaced_config_map("py-crud", ns, {"data": {"a": "2"}})
    items = core.list_namespaced_config_map(ns, label_selector="compat=python").items
    assert [(c.metadata.name, c.data["a"]) for c in items] == [("py-crud", "2")], items
    core.delete_namespaced_config_map("py-crud", ns)
    try:
        core.read_namespaced_config_map("py-crud", ns)
        raise AssertionError("py-crud still there after delete")
    except ApiException as e:
        assert e.status == 404, e.status


def watch_added():
    def create_soon():
        time.sleep(0.5)
        core.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-watched", labels={"compat": "py-watch"})))

    threading.Thread(target=create_soon, daemon=True).start()
    w = watch.Watch()
    for event in w.stream(core.list_namespaced_config_map, ns, label_selector="compat=py-watch", timeout_seconds=30):
        if event["type"] == "ADDED" and event["object"].metadata.name == "py-watched":
            w.stop()
            return
    raise AssertionError("no ADDED event for py-watched within 30 s")


def exec_cat():
    out = stream(core.connect_get_namespaced_pod_exec, pod, ns, command=["cat", "/www/index.html"], stderr=True, stdin=False, stdout=True, tty=False)
    assert "compat-http" in out, out


def port_forward():
    pf = portforward(core.connect_get_namespaced_pod_portforward, pod, ns, ports="8080")
    sock = pf.socket(8080)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: tools\r\n\r\n")
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.close()
    assert "compat-http" in data.decode(), data
    assert pf.error(8080) is None, pf.error(8080)
    pf.close()


for name, check in [
    ("create, read, patch, list by label, delete", crud),
    ("watch", watch_added),
    ("exec", exec_cat),
    ("port-forward (v4.channel.k8s.io)", port_forward),
]:
    try:
        check()
        print(json.dumps({"name": name, "ok": True}), flush=True)
    except Exception as e:  # every failure is reported, the next check still runs
        print(json.dumps({"name": name, "ok": False, "error": f"{e!r}\n{traceback.format_exc()}"}), flush=True)
