#!/usr/bin/env python3
"""Helpers of bench/run (standard library only).

  bench.py free-port
  bench.py wait URL SECONDS                 wait until GET URL/api/ready/ answers 200
  bench.py seed URL STATE_JSON              catalog, users, tokens, orders (see SEED below)
  bench.py storm-users URL STATE_JSON N     register N login-storm users (at the server's cost)
  bench.py seed-categories URL STATE_JSON N 3 categories, for a template of N products (catalog-page)
  bench.py catalog-log STATE_JSON LOG       print N unsealed productCreated records (for bench/logseal)
  bench.py check-catalog URL STATE_JSON     the server loaded the N products
  bench.py capture SCENARIO URL STATE DIR   write the floor's bodies; print the floor's arguments
  bench.py requests SCENARIO STATE FILE     write the wrk request table (see bench/wrk.lua)
  bench.py table RESULTS_JSONL              print the Markdown table (medians of the runs)
  bench.py log-summary SERVER_LOG           access lines, reported drops, bytes (a JSON fragment)
"""
import http.client
import json
import os
import random
import re
import socket
import statistics
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

# What the seed creates (issue 6).
CATEGORIES = ["Shirts", "Shoes", "Hats"]
PRODUCTS = 50
VARIANTS = [("M", "black"), ("L", "white")]
STOCK = 100_000_000  # large enough that no benchmark runs out
USERS = 100
PASSWORD = "bench-pass-123"
MY_ORDERS = 20  # orders of user 0, listed by my-orders
STORM_PASSWORD = "storm-pass-123"
PAGE_LIMIT = 20  # catalog-page's ?limit=
# catalog-search's ?search=: two terms, both required (DRF's SearchFilter), that 14 of the 50
# seeded products match ("cotton" is in every description; "4" in 14 names and descriptions).
SEARCH = "cotton+4"


class Client:
    """One keep-alive connection."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)

    def call(self, method, path, body=None, token=None, expect=(200, 201), key=None, response_headers=None):
        """Status and body; with `key` an `Idempotency-Key` header is sent; the response's
        headers are stored into the dict `response_headers` when given."""
        headers = {}
        data = None
        if key:
            headers["Idempotency-Key"] = key
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Token " + token
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        if response_headers is not None:
            response_headers.update((k.lower(), v) for k, v in response.getheaders())
        if expect and response.status not in expect:
            raise SystemExit(f"bench: {method} {path} -> {response.status} {raw[:300]!r}")
        return response.status, raw

    def json(self, method, path, body=None, token=None):
        return json.loads(self.call(method, path, body, token)[1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url, seconds):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            status, _ = Client(url).call("GET", "/api/ready/", expect=None)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"bench: {url} did not become ready within {seconds}s")


def login(base, username, password):
    return Client(base).json("POST", "/api/users/login/", {"username": username, "password": password})["token"]


def product_body(i, categories):
    """The `i`-th seeded product (0-based): the same shape for every template."""
    return {
        "name": f"Product {i + 1}",
        "description": f"Benchmark product number {i + 1}, a plain cotton item.",
        "price": f"{10 + i}.{(i * 7) % 100:02d}",
        "category": categories[i % len(categories)],
        "variants": [{"size": s, "color": c, "stock": STOCK} for s, c in VARIANTS],
    }


def admin_login(base):
    return login(base, os.environ["BENCH_ADMIN_USER"], os.environ["BENCH_ADMIN_PASSWORD"])


def create_categories(client, admin):
    return [client.json("POST", "/api/products/categories/create/", {"name": n}, admin)["id"]
            for n in CATEGORIES]


def seed(base, state_path):
    client = Client(base)
    admin = admin_login(base)
    categories = create_categories(client, admin)
    items = []  # (product id, variant id)
    for i in range(PRODUCTS):
        product = client.json("POST", "/api/products/create/", product_body(i, categories), admin)
        items += [(product["id"], v["id"]) for v in product["variants"]]

    def user(i):
        c = Client(base)
        name = f"bench{i}"
        c.json("POST", "/api/users/register/", {"username": name, "email": f"{name}@example.com", "password": PASSWORD})
        return name, c.json("POST", "/api/users/login/", {"username": name, "password": PASSWORD})["token"]

    with ThreadPoolExecutor(8) as pool:
        users = list(pool.map(user, range(USERS)))
    mine = users[0][1]
    for k in range(MY_ORDERS):
        product, variant = items[k % len(items)]
        client.json("POST", "/api/orders/", {"items": [{"product": product, "variant": variant, "quantity": 1}]}, mine)
    state = {"categories": categories, "items": items, "users": users, "storm_users": []}
    with open(state_path, "w") as f:
        json.dump(state, f)
    print(f"bench: seeded {len(categories)} categories, {PRODUCTS} products, {len(items)} variants, "
          f"{len(users)} users with tokens, {MY_ORDERS} orders of {users[0][0]}", file=sys.stderr)


def seed_categories(base, state_path, count):
    """catalog-page's templates, step 1 (server running): the 3 categories over HTTP; records
    their ids and the product count for `catalog-log`."""
    started = time.monotonic()
    categories = create_categories(Client(base), admin_login(base))
    with open(state_path, "w") as f:
        json.dump({"products": int(count), "categories": categories, "started": started}, f)


def money_text(cents):
    """An amount as the server writes it (Money.description: no needless zeros)."""
    whole, fraction = divmod(cents, 100)
    if fraction == 0:
        return str(whole)
    return f"{whole}.{fraction // 10}" if fraction % 10 == 0 else f"{whole}.{fraction:02d}"


def catalog_log(state_path, log_path):
    """catalog-page's templates, step 2 (server stopped): prints one unsealed `productCreated`
    record per product, numbered on from the last line of `log_path` (bench/logseal adds the
    CRC-32C; bench/run appends its output to the log). The products are seed()'s (product_body)
    with the ids the server would give them on an empty catalog: product i+1 has variants
    2i+1 and 2i+2. Writing the log directly takes a second for 100,000 products; over HTTP a
    batch of writes re-assembles the whole list body (O(catalog)), which made it a minute."""
    with open(state_path) as f:
        state = json.load(f)
    with open(log_path, "rb") as f:
        last = json.loads(f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    sequence, timestamp = last["seq"], last["ts"]
    out = sys.stdout
    for i in range(state["products"]):
        body = product_body(i, state["categories"])
        whole, fraction = body["price"].split(".")
        data = {
            "id": i + 1, "name": body["name"], "description": body["description"],
            "price": "@PRICE@", "category": body["category"],
            "variants": [{"id": 2 * i + 1 + k, "size": v["size"], "color": v["color"], "stock": v["stock"]}
                         for k, v in enumerate(body["variants"])],
        }
        encoded = json.dumps(data, separators=(",", ":")).replace(
            '"@PRICE@"', money_text(int(whole) * 100 + int(fraction)))
        sequence += 1
        out.write(f'{{"seq":{sequence},"ts":"{timestamp}","type":"productCreated","data":{encoded}\n')


def check_catalog(base, state_path):
    """catalog-page's templates, step 3 (server restarted on the written log): the list counts
    every product and the last one reads back as seeded; records the seeding time."""
    with open(state_path) as f:
        state = json.load(f)
    count = state["products"]
    client = Client(base)
    listed = json.loads(client.call("GET", "/api/products/?limit=1")[1])["count"]
    if listed != count:
        raise SystemExit(f"bench: wrote {count} products into the log but the list counts {listed}")
    last = json.loads(client.call("GET", f"/api/products/{count}/", expect=(200,))[1])
    want = product_body(count - 1, state["categories"])
    whole, fraction = want["price"].split(".")
    if (last["name"], last["price"], [v["id"] for v in last["variants"]]) != (
            want["name"], json.loads(money_text(int(whole) * 100 + int(fraction))), [2 * count - 1, 2 * count]):
        raise SystemExit(f"bench: product {count} reads back as {last}")
    seconds = time.monotonic() - state.pop("started")
    state["seed_seconds"] = round(seconds, 1)
    with open(state_path, "w") as f:
        json.dump(state, f)
    print(f"bench: seeded {count:,} products in {seconds:.1f} s (event log written directly, "
          f"loaded by the server)", file=sys.stderr)


def storm_users(base, state_path, count):
    with open(state_path) as f:
        state = json.load(f)

    def register(i):
        name = f"storm{i}"
        Client(base).json("POST", "/api/users/register/",
                          {"username": name, "email": f"{name}@example.com", "password": STORM_PASSWORD})
        return name

    with ThreadPoolExecutor(8) as pool:
        state["storm_users"] = list(pool.map(register, range(int(count))))
    with open(state_path, "w") as f:
        json.dump(state, f)


def order_body(product, variant):
    return {"items": [{"product": product, "variant": variant, "quantity": 1}]}


def order_lines(state, weight=1, key=None):
    """POST /api/orders/ by users 1..99 (user 0 keeps exactly its 20 orders), varied items.
    `key`: None (no Idempotency-Key), "fresh" (wrk.lua makes a new key per request) or a
    prefix (line n sends the fixed key PREFIXn: every request after the first is a replay)."""
    lines = []
    items = state["items"]
    for n, (_, token) in enumerate(state["users"][1:]):
        product, variant = items[(n * 7) % len(items)]
        line = (weight, "POST", "/api/orders/", token, json.dumps(order_body(product, variant), separators=(",", ":")))
        if key is not None:
            line += ("fresh" if key == "fresh" else f"{key}{n}",)
        lines.append(line)
    return lines


REPLAY_KEY = "bench-replay-"
CATALOG_PAGES = {"catalog-page-100", "catalog-page-100k"}


# The scans on the big catalog template: a page of PAGE_LIMIT of what a search or filters
# match (every product is checked, then the page is assembled from the matches' fragments).
BIG_SCANS = {"catalog-search-100k", "catalog-filter-100k"}
BIG_TEMPLATES = CATALOG_PAGES | BIG_SCANS
MIN_PRICE, MAX_PRICE = 100, 5000  # catalog-filter-100k's price range


def page_path(products):
    """catalog-page's request: a page of PAGE_LIMIT from the middle of the catalog."""
    return f"/api/products/?limit={PAGE_LIMIT}&offset={products // 2}"


def scan_path(scenario, state):
    """The request of catalog-search (the whole answer, on the 50-product template) and of the
    big catalog's scans (a page)."""
    if scenario == "catalog-search":
        return f"/api/products/?search={SEARCH}"
    if scenario == "catalog-search-100k":
        return f"/api/products/?search={SEARCH}&limit={PAGE_LIMIT}"
    return (f"/api/products/?category={state['categories'][1]}&min_price={MIN_PRICE}"
            f"&max_price={MAX_PRICE}&in_stock=true&limit={PAGE_LIMIT}")


def expected_matches(scenario, products):
    """How many of the seeded products (product_body) the scan's query matches: "cotton" is in
    every description, "4" in the name and description of the products whose number has a 4;
    the filter takes the second category (i % 3 == 1) priced within [MIN_PRICE, MAX_PRICE]
    (every variant is in stock)."""
    if scenario in ("catalog-search", "catalog-search-100k"):
        return sum("4" in str(i + 1) for i in range(products))
    return sum(i % 3 == 1 and MIN_PRICE * 100 <= (10 + i) * 100 + (i * 7) % 100 <= MAX_PRICE * 100
               for i in range(products))


def request_lines(scenario, state):
    my_token = state["users"][0][1] if "users" in state else None
    catalog = (1, "GET", "/api/products/", "-", "-")
    if scenario in ("catalog", "login-storm", "connections"):
        return [catalog]
    if scenario == "health":
        return [(1, "GET", "/api/health/", "-", "-")]
    if scenario == "categories":
        return [(1, "GET", "/api/products/categories/", "-", "-")]
    if scenario == "my-orders":
        return [(1, "GET", "/api/orders/", my_token, "-")]
    if scenario == "order-create":
        return order_lines(state)
    if scenario == "order-create-idempotent":
        return order_lines(state, key="fresh")
    if scenario == "order-create-replay":
        return order_lines(state, key=REPLAY_KEY)
    if scenario in CATALOG_PAGES:
        return [(1, "GET", page_path(state["products"]), "-", "-")]
    if scenario == "catalog-search" or scenario in BIG_SCANS:
        return [(1, "GET", scan_path(scenario, state), "-", "-")]
    if scenario == "mixed":
        orders = order_lines(state)  # 99 lines of weight 1 = 5%
        unit = len(orders) / 5
        return [(round(80 * unit), *catalog[1:]), (round(15 * unit), "GET", "/api/orders/", my_token, "-")] + orders
    if scenario == "login":
        return [(1, "POST", "/api/users/login/", "-", json.dumps({"username": u, "password": STORM_PASSWORD}))
                for u in state["storm_users"]]
    raise SystemExit(f"bench: unknown scenario {scenario}")


def write_requests(scenario, state_path, out):
    with open(state_path) as f:
        state = json.load(f)
    with open(out, "w") as f:
        for line in request_lines(scenario, state):
            f.write("\t".join(str(x) for x in line) + "\n")


def capture(scenario, base, state_path, directory):
    """Fetches the exact bodies the server returns for the scenario's routes (on this fresh
    server, after seeding) and prints bench/floor's arguments after PORT."""
    with open(state_path) as f:
        state = json.load(f)
    client = Client(base)
    my_token = state["users"][0][1] if "users" in state else None

    def save(name, body):
        path = os.path.join(directory, f"{scenario}-{name}.json")
        with open(path, "wb") as f:
            f.write(body)
        return path

    def order_201(key=None, replayed=False):
        _, _, _, token, body = order_lines(state)[0]
        headers = {}
        status, raw = client.call("POST", "/api/orders/", json.loads(body), token, expect=(201,), key=key,
                                  response_headers=headers)
        if (headers.get("idempotent-replayed") == "true") != replayed:
            raise SystemExit(f"bench: POST /api/orders/ with key {key}: Idempotent-Replayed is "
                             f"{headers.get('idempotent-replayed')!r}, expected replayed={replayed}")
        return raw

    if scenario == "order-create":
        args = [save("order", order_201())]
    elif scenario == "order-create-idempotent":
        args = [save("order", order_201(key=f"bench-capture-{os.getpid()}-{time.time_ns()}"))]
    elif scenario == "order-create-replay":
        # Every line's key is used once here, so that every measured request is a replay (and
        # none finds its key in progress, a 409); the floor serves a replayed body.
        for _, method, path, token, body, key in order_lines(state, key=REPLAY_KEY):
            client.call(method, path, json.loads(body), token, expect=(201,), key=key)
        args = [save("order", order_201(key=REPLAY_KEY + "0", replayed=True))]
    elif scenario == "catalog-search" or scenario in BIG_SCANS:
        raw = client.call("GET", request_lines(scenario, state)[0][2], expect=(200,))[1]
        answer = json.loads(raw)
        products = state.get("products", PRODUCTS)
        found = len(answer) if scenario == "catalog-search" else answer["count"]
        want = expected_matches(scenario, products)
        if found != want or not 0 < found < products:
            raise SystemExit(f"bench: {scenario}: {found} of {products} products match, expected {want}")
        if scenario != "catalog-search" and len(answer["results"]) != min(found, PAGE_LIMIT):
            raise SystemExit(f"bench: {scenario}: a page of {len(answer['results'])}, expected {PAGE_LIMIT}")
        args = [save("body", raw)]
    elif scenario in CATALOG_PAGES:
        raw = client.call("GET", request_lines(scenario, state)[0][2], expect=(200,))[1]
        page = json.loads(raw)
        if page["count"] != state["products"] or len(page["results"]) != PAGE_LIMIT:
            raise SystemExit(f"bench: {scenario}: count {page['count']} (expected {state['products']}), "
                             f"{len(page['results'])} results (expected {PAGE_LIMIT})")
        args = [save("body", raw)]
    elif scenario == "mixed":
        catalog = save("catalog", client.call("GET", "/api/products/")[1])
        mine = save("my-orders", client.call("GET", "/api/orders/", token=my_token)[1])
        order = save("order", order_201())
        args = [catalog, "GET", "/api/orders/", "200", mine, "POST", "/api/orders/", "201", order]
    else:
        (_, method, path, token, _), = request_lines(scenario, state)
        args = [save("body", client.call(method, path, token=None if token == "-" else token, expect=(200,))[1])]
    print(" ".join(args))


# ---- the table ----

def ms(us):
    return f"{us / 1000:.2f}"


def table(results_path):
    rows = {}
    order = []
    floors = {}
    seeds = {}  # catalog-page's templates: products and seeding time, by scenario
    with open(results_path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("kind") == "seed":
                seeds[r["scenario"]] = r
                continue
            if r.get("kind") != "rss" and r.get("kind") != "log" and r["target"] == "floor":
                floors.setdefault((r["scenario"], r["workers"]), []).append(r)
                continue
            key = (r["scenario"], r["workers"], r.get("logs", "quiet"))
            if key not in rows:
                rows[key] = {"server": [], "extra": {}, "rss_kib": None, "log": None}
                order.append(key)
            row = rows[key]
            if r.get("kind") == "rss":
                row["rss_kib"] = r["rss_kib"]
            elif r.get("kind") == "log":
                row["log"] = r
            else:
                row["server"].append(r)
    out = ["| scenario | workers | logs | req/s | p50 ms | p99 ms | p99.9 ms | errors | CPU us/req | RSS MiB "
           "| floor req/s | floor p99 ms | rps ratio | p99 ratio | notes |",
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    problems = []
    summary = {}
    for key in order:
        scenario, workers, logs = key
        row = rows[key]
        server, floor = row["server"], floors.get((scenario, workers), [])
        if not server:
            problems.append(f"{scenario}/{workers}/{logs}: no server result")
            continue

        def med(runs, field):
            values = [x["wrk"][field] for x in runs if x.get("wrk")]
            return statistics.median(values) if values else None

        errors = sum(errors_of(x["wrk"]) for x in server if x.get("wrk"))
        notes = []
        for x in server:
            if "login" in x:
                notes.append(f"logins/s {x['login']['rps']:.1f} (errors {x['login']['errors']})")
            if "hold" in x:
                h = x["hold"]
                notes.append(f"held {h['held']}/{h['wanted']} idle + {x.get('active', '?')} active"
                             f" (refused {h['failed']}, closed by server {h['closed']})")
                errors += h["failed"] + h["closed"]
        if len(notes) > 1:
            notes = notes[-1:]  # the last run's; all runs are in the JSONL
        if scenario in seeds:
            n = seeds[scenario]["products"]
            if scenario in CATALOG_PAGES:
                what = f"page of {PAGE_LIMIT} at offset {n // 2:,}"
            else:
                what = f"{expected_matches(scenario, n):,} match, page of {PAGE_LIMIT}"
            notes.append(f"{n:,} products, {what} (seeded in {seeds[scenario]['seconds']:.1f} s)")
        elif scenario == "catalog-search":
            notes.append(f"{expected_matches(scenario, PRODUCTS)} of {PRODUCTS} products match")
        log = row["log"]
        if log and (log["access_lines"] or log["dropped"]):
            notes.append(f"{log['access_lines']:,} access lines, {log['dropped']:,} dropped")
        rps, p50, p99, p999 = (med(server, f) for f in ("rps", "p50_us", "p99_us", "p999_us"))
        cpu = cpu_per_request(server)
        frps, fp99 = med(floor, "rps"), med(floor, "p99_us")
        rss = row["rss_kib"]
        summary[key] = {"rps": rps, "p99": p99, "frps": frps, "fp99": fp99, "errors": errors, "cpu": cpu,
                        "rss_kib": rss, "hold": next((x["hold"] for x in reversed(server) if "hold" in x), None)}
        out.append("| " + " | ".join([
            scenario, str(workers), logs, f"{rps:,.0f}", ms(p50), ms(p99), ms(p999), str(errors),
            f"{cpu:.2f}" if cpu else "-",
            f"{rss / 1024:.1f}" if rss else "?",
            f"{frps:,.0f}" if frps else "-", ms(fp99) if fp99 else "-",
            f"{rps / frps:.2f}" if frps else "-", f"{p99 / fp99:.2f}" if fp99 else "-",
            "; ".join(notes)]) + " |")
    print("\n".join(out))
    print()
    print("\n".join(goals(summary, os.environ.get("BENCH_FSYNC", "always"), seeds)))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)


ACCESS_LINE = re.compile(rb"^\S+ \w+ \S*: \[\w+\] [A-Z]+ \S+ \d{3} \d+B \d+us loop=\d+( id=\S+)?$")
DROPPED = re.compile(rb"access log: dropped (\d+) lines")


def log_summary(path):
    """Counts what a server wrote: access lines, lines it reported dropped, bytes."""
    lines = dropped = size = 0
    with open(path, "rb") as f:
        for line in f:
            size += len(line)
            line = line.rstrip(b"\n")
            if ACCESS_LINE.match(line):
                lines += 1
            else:
                m = DROPPED.search(line)
                if m:
                    dropped += int(m.group(1))
    print(f'"access_lines": {lines}, "dropped": {dropped}, "log_bytes": {size}')


def cpu_per_request(runs):
    """Median over the runs of the process's CPU time (all threads) per request, in us."""
    values = [x["cpu_seconds"] * 1e6 / x["wrk"]["requests"] for x in runs
              if x.get("wrk") and x["wrk"]["requests"] and "cpu_seconds" in x]
    return statistics.median(values) if values else None


def errors_of(r):
    return r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]


def brief(wrk_json):
    r = json.loads(wrk_json)
    print(f"{r['rps']:,.0f} req/s, p50 {r['p50_us'] / 1000:.2f} ms, p99 {r['p99_us'] / 1000:.2f} ms, "
          f"p99.9 {r['p999_us'] / 1000:.2f} ms, errors {errors_of(r)}")


def login_extra(wrk_output):
    with open(wrk_output) as f:
        lines = [l for l in f if l.startswith("WRK_RESULT ")]
    if not lines:
        raise SystemExit("bench: the login wrk printed no result")
    r = json.loads(lines[-1][len("WRK_RESULT "):])
    print(json.dumps({"rps": r["rps"], "p99_us": r["p99_us"], "errors": errors_of(r), "wrk": r}))


def goals(summary, fsync, seeds=None):
    """Issue 6's goals against this run's rows (ratios to the floor of the same run), on the
    shipped-defaults rows when measured; and the access log's goal (defaults within 5% of quiet
    logs, same run) when both were measured."""
    lines = ["| goal | measured | met |", "| --- | --- | --- |"]
    modes = [m for m in ("default", "quiet", "noaccess", "nometrics", "baseline")
             if any(k[2] == m for k in summary)]
    main_mode = modes[0] if modes else "default"
    issue6 = {(k[0], k[1]): v for k, v in summary.items() if k[2] == main_mode}
    suffix = f" ({main_mode} logs)"

    def ratio(key):
        r = issue6.get(key)
        return (r["rps"] / r["frps"]) if r and r["frps"] else None

    def add(goal, measured, met):
        lines.append(f"| {goal} | {measured} | {'yes' if met else '**no**'} |")

    c = issue6.get(("catalog", 1))
    if c and c["frps"]:
        rr, pr = c["rps"] / c["frps"], c["p99"] / c["fp99"]
        add("catalog, 1 worker: >= 0.90 of floor req/s, p99 <= 1.5x floor's" + suffix,
            f"{rr:.2f}, p99 {pr:.2f}x", rr >= 0.90 and pr <= 1.5)
    for name, target in (("categories", 0.90), ("order-create", 0.25), ("my-orders", 0.50)):
        r = ratio((name, 1))
        if r is None:
            continue
        label = f"{name}, 1 worker: >= {target:.2f} of floor req/s" + suffix
        if name == "order-create":
            label = f"order-create, fsync always, 1 worker: >= {target:.2f}" + suffix
            if fsync != "always":
                add(label, f"{r:.2f} (measured with fsync {fsync}: not comparable)", False)
                continue
        add(label, f"{r:.2f}", r >= target)
    for key in sorted(k for k in issue6 if k[0] == "login-storm"):
        r = issue6[key]
        add(f"login-storm ({key[1]} worker{'s' if key[1] != 1 else ''}): catalog p99 < 5 ms" + suffix,
            f"{r['p99'] / 1000:.2f} ms", r["p99"] < 5000)
    for key in sorted(k for k in issue6 if k[0] == "connections"):
        r, h = issue6[key], issue6[key]["hold"]
        if not h:
            continue
        rss = (r["rss_kib"] or 0) / 1024
        add(f"connections ({key[1]} worker{'s' if key[1] != 1 else ''}): every idle connection held, 0 errors, RSS < 300 MiB" + suffix,
            f"held {h['held']}/{h['wanted']}, errors {r['errors']}, RSS {rss:.1f} MiB",
            h["held"] == h["wanted"] and r["errors"] == 0 and rss < 300)
    for key in sorted(k for k in issue6 if k[0] == "catalog-page-100k"):
        big, small = issue6[key], issue6.get(("catalog-page-100", key[1]))
        if not small:
            continue
        rr = big["rps"] / small["rps"]
        cpu = f"; CPU/req {big['cpu'] / small['cpu']:.2f}x" if big.get("cpu") and small.get("cpu") else ""
        sizes = [(seeds or {}).get(s, {}).get("products", "?") for s in ("catalog-page-100k", "catalog-page-100")]
        sizes = [f"{n:,}" if isinstance(n, int) else n for n in sizes]
        add(f"catalog-page, {key[1]} worker{'s' if key[1] != 1 else ''}: at {sizes[0]} products >= 0.80 of at {sizes[1]} "
            f"(req/s, same run)" + suffix, f"{rr:.2f} ({big['rps']:,.0f} / {small['rps']:,.0f}){cpu}", rr >= 0.80)
    for (scenario, workers, logs), r in summary.items():
        q = summary.get((scenario, workers, "quiet"))
        if logs != "default" or not q or scenario not in ("catalog", "categories", "health"):
            continue
        rr = r["rps"] / q["rps"]
        cpu = f"; CPU/req {r['cpu'] / q['cpu']:.3f}x" if r.get("cpu") and q.get("cpu") else ""
        add(f"{scenario}, {workers} worker{'s' if workers != 1 else ''}: default logs >= 0.95 of quiet logs req/s",
            f"{rr:.3f} ({r['rps']:,.0f} / {q['rps']:,.0f}){cpu}", rr >= 0.95)
    # Metrics and request ids may cost at most 3% of the catalog's req/s (same run).
    for other, what in (("baseline", "the baseline binary"), ("nometrics", "metrics off")):
        for (scenario, workers, logs), r in summary.items():
            b = summary.get((scenario, workers, other))
            if logs != "default" or not b or scenario != "catalog":
                continue
            rr = r["rps"] / b["rps"]
            cpu = f"; CPU/req {r['cpu'] / b['cpu']:.3f}x" if r.get("cpu") and b.get("cpu") else ""
            add(f"{scenario}, {workers} worker{'s' if workers != 1 else ''}: default >= 0.97 of {what} req/s",
                f"{rr:.3f} ({r['rps']:,.0f} / {b['rps']:,.0f}){cpu}", rr >= 0.97)
    return lines


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    command, args = argv[0], argv[1:]
    if command == "free-port":
        print(free_port())
    elif command == "wait":
        wait(*args)
    elif command == "seed":
        seed(*args)
    elif command == "seed-categories":
        seed_categories(*args)
    elif command == "catalog-log":
        catalog_log(*args)
    elif command == "check-catalog":
        check_catalog(*args)
    elif command == "storm-users":
        storm_users(*args)
    elif command == "capture":
        capture(*args)
    elif command == "requests":
        write_requests(*args)
    elif command == "brief":
        brief(*args)
    elif command == "login-extra":
        login_extra(*args)
    elif command == "table":
        table(*args)
    elif command == "log-summary":
        log_summary(*args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
