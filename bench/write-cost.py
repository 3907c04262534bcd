#!/usr/bin/env python3
"""Server CPU per write on a catalog template: copies TEMPLATE, starts BINARY serve on it
(fsync never, from the repository root), logs in the bench admin, then N writes one after
another (orders by the admin and stock_delta restocks alternately, on the product at OFFSET,
500 by default), reading the server's CPU (the sum of every thread's
/proc/PID/task/*/schedstat run time, ns) right before and after each reply. Linux only.

    bench/run --scenarios catalog-search-100k --big-catalog 100000 --runs 1 --keep
    bench/write-cost.py .build/release/storefront /tmp/storefront-bench.XXXX/template-catalog-100000 40
"""
import glob, http.client, json, os, shutil, socket, subprocess, sys, tempfile, time

binary, template = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
count = int(sys.argv[3]) if len(sys.argv) > 3 else 40
work = tempfile.mkdtemp(prefix="cs-writecost-")
data = os.path.join(work, "data")
shutil.copytree(template, data)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ, STOREFRONT_STORAGE_FSYNC="never", STOREFRONT_LOG_LEVEL="warning",
           STOREFRONT_AUTH_PBKDF2_ITERATIONS="1000")
server = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data, "--workers", "1"],
                          env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))
def cpu_ns():
    total = 0
    for path in glob.glob(f"/proc/{server.pid}/task/*/schedstat"):
        try:
            total += int(open(path).read().split()[0])
        except (OSError, ValueError):
            pass
    return total
conn = None
started = time.time()
while True:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", "/api/health/"); r = conn.getresponse(); r.read()
        if r.status == 200: break
    except OSError:
        time.sleep(0.2)
    if time.time() - started > 120: sys.exit("server did not start")
print(f"started in {time.time() - started:.1f} s", file=sys.stderr)
def call(method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token: headers["Authorization"] = f"Token {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse(); raw = r.read()
    return r.status, raw
status, raw = call("POST", "/api/users/login/", {"username": "benchadmin", "password": "bench-admin-pass-1"})
token = json.loads(raw)["token"]
status, raw = call("GET", "/api/products/?limit=1&offset=" + os.environ.get("OFFSET", "500"))
product = json.loads(raw)["results"][0]
variant = product["variants"][0]["id"]
costs = []
for n in range(count):
    if n % 2 == 0:
        method, path, body = "POST", "/api/orders/", {"items": [{"product": product["id"], "variant": variant, "quantity": 1}]}
    else:
        method, path, body = "PATCH", f"/api/products/{product['id']}/variants/{variant}/", {"stock_delta": 1}
    time.sleep(0.05)  # let the server go idle
    before = cpu_ns()
    status, raw = call(method, path, body, token)
    after = cpu_ns()
    if status not in (200, 201): sys.exit(f"{method} {path}: {status} {raw[:200]}")
    costs.append((after - before) / 1e6)
costs.sort()
print(json.dumps({"writes": count, "median_ms": round(costs[len(costs) // 2], 3),
                  "p10_ms": round(costs[len(costs) // 10], 3), "p90_ms": round(costs[len(costs) * 9 // 10], 3),
                  "mean_ms": round(sum(costs) / len(costs), 3)}))
server.terminate(); server.wait()
shutil.rmtree(work)
