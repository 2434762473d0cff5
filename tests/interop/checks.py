"""The checks of the interop scripts: each prints PASS or FAIL with its name,
and the failures are kept for the script's exit code."""

failures = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name, flush=True)
    if not ok:
        if detail:
            print("     " + str(detail).replace("\n", "\n     "), flush=True)
        failures.append(name)
