"""``python -m bench.mutation``: mutation testing (mutmut) of the modules that hold the project's rules.

    python -m bench.mutation [MODULE ...] [--list] [--survivors]

Each module runs on its own, in a copy of the tree under the system's temporary folder, against
the fast tests chosen for it below (mutmut then runs, per mutant, only those of them that reach the
mutated function). The copy's ``[tool.mutmut]`` is pyproject's with that module and those tests
filled in. Results go to ``bench/mutation/<module>.json``; ``bench/mutation/REPORT.md`` is rebuilt
from all of them with every surviving mutant's diff, so a module run alone keeps the others'.

``--survivors`` tests again only the mutants a module's last run left, the others keeping their
status: the quick check of tests written to kill them (mutmut names mutants by function and rank, so
the names hold while the module is unchanged, which is checked).

Kept out of ``make test`` and CI: a module takes minutes to an hour. ``make mutate`` runs them all,
the small ones first, under ``nice`` on two workers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "mutation"
MUTMUT = Path(sys.executable).with_name("mutmut")

# The archive reader's in-process tests: every foreign file against plain warcio, the reader's rules
# one by one, and the damage cases cut out of sound WARCs; not the `deeply` subprocess runs, the repair
# tests (crawler.warcfiles) nor the extractor's own (each surviving mutant reruns every selected test).
_HARDENING = "tests/test_archive_hardening.py"
_EXTRACT = "tests/test_extract_warcs.py"
READER_TESTS = ["tests/test_archive_reader_rules.py", "tests/test_archive_records_faults.py",
                "tests/test_archive_records_fields.py", "tests/test_archive_records_read_back.py",
                "tests/test_archive_records_damage.py", "tests/test_archive_records_paths.py",
                "tests/test_archive_records_at_offset.py",
                "tests/test_archive_foreign.py", _EXTRACT] + [
    arg for name in ("extract_stream_keeps_order_with_processes", "python_m_extract",
                     "trafilatura_caches_are_reset_periodically")
    for arg in ("--deselect", f"{_EXTRACT}::test_{name}")] + [
    f"{_HARDENING}::test_{name}" for name in (
        "ingest_keeps_the_whole_records_of_a_damaged_file_and_goes_on",
        "a_cut_at_any_byte_yields_exactly_the_whole_records", "a_file_growing_while_it_is_ingested",
        "extract_reports_a_damaged_file_and_yields_only_whole_pages",
        "index_reports_each_damaged_warc_and_indexes_only_whole_records",
        "wacz_leaves_out_a_damaged_warc_and_says_so")]

# Module -> the fast tests that check it (no crawl, no browser, no corpus), in the order `make mutate`
# runs them: fewest mutants first, so that an interrupted run has finished the most modules.
MODULES: dict[str, list[str]] = {
    "crawler/guard.py": ["tests/test_crawler_guard.py"],
    "crawler/retry.py": ["tests/test_crawler_retry_after.py", "--deselect",
                         "tests/test_crawler_retry_after.py::test_the_crawl_waits_as_long_as_retry_after_says"],
    "archive/revisits.py": ["tests/test_archive_revisits.py", "tests/test_extract_warcs.py"],
    "extract/cleanup.py": ["tests/test_extract_cleanup.py", "tests/test_extract_page.py",
                           "tests/test_extract_interview_forms.py"],
    "crawler/scope.py": ["tests/test_crawler_guard.py", "tests/test_crawler_scope_hosts.py",
                         "tests/test_crawler_scope_paths.py",
                         "tests/test_properties.py",
                         "tests/test_crawler_requisites.py::test_requisite_hosts_patterns_and_denials",
                         "tests/test_crawler_requisites.py::test_resolve_takes_curls_idea",
                         "tests/test_crawler_requisites.py::test_requisite_hosts_default_any_host_or_loopback_only_for_a_local_copy"],
    "extract/urls.py": ["tests/test_extract_urls.py", "tests/test_properties.py"],
    "extract/names.py": ["tests/test_extract_names.py", "tests/test_extract_interview_forms.py",
                         "tests/test_extract_page.py", "tests/test_properties.py"],
    # Its rules are checked one by one in the reader's rules and by the foreign files; the damage and
    # extraction tests reach every function of it again, at a minute per surviving mutant.
    "archive/files.py": ["tests/test_archive_reader_rules.py", "tests/test_archive_foreign.py"],
    "storage/store.py": ["tests/test_storage_store_rules.py"],
    "extract/qa.py": ["tests/test_extract_interview_forms.py", "tests/test_extract_page.py",
                      "tests/test_properties.py", "tests/test_extract_qa_roles.py",
                      "tests/test_extract_qa_segments.py"],
    "archive/records.py": READER_TESTS,
}
# Fewer examples per property under mutation: each mutant reruns them.
ENV = {"DEEPLY_PROPERTY_EXAMPLES": "30"}
KILLED = {"killed", "timeout", "segfault", "suspicious"}  # the tests noticed the mutant
SKIP = {".venv", ".git", "mutants", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache",
        "demo-output", "warcs", "mutation"}


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def configure(work: Path, module: str, tests: list[str]) -> None:
    """Fill the copy's [tool.mutmut] with this module and its tests."""
    path = work / "pyproject.toml"
    text = path.read_text()
    text = re.sub(r"(?m)^only_mutate = .*$", f"only_mutate = {json.dumps([module])}", text)
    text = re.sub(r"(?m)^pytest_add_cli_args_test_selection = .*$",
                  f"pytest_add_cli_args_test_selection = {json.dumps(tests)}", text)
    path.write_text(text)


# mutmut's own diff of each mutant, all in one process: `mutmut show` per mutant starts mutmut anew
# each time, which under load takes longer than the mutation run of a small module.
_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path, names = sys.argv[1], sys.stdin.read().split()
print(json.dumps({name: get_diff_for_mutant(name, path=path).strip() for name in names}))
"""


def diffs_of(names: list[str], module: str, work: Path, env: dict) -> dict[str, str]:
    if not names:
        return {}
    proc = subprocess.run([sys.executable, "-c", _DIFFS, module], input="\n".join(names), cwd=work, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode == 0:
        return json.loads(proc.stdout)
    # Another mutmut than the pinned one: its command line, one mutant at a time.
    return {name: subprocess.run([str(MUTMUT), "show", name], cwd=work, env=env, capture_output=True,
                                 text=True, timeout=120).stdout.strip() for name in names}


def source_hash(module: str) -> str:
    return hashlib.sha256((ROOT / module).read_bytes()).hexdigest()


def _copy_tree(work: Path, module: str, tests: list[str]) -> None:
    """The tree as it is now, over `work` (a kept copy keeps its mutmut results under mutants/)."""
    shutil.copytree(ROOT, work, dirs_exist_ok=True,
                    ignore=lambda _d, names: [n for n in names if n in SKIP or n.endswith(".db")])
    configure(work, module, tests)


def _kept_copy_differs(work: Path, module: str) -> bool:
    """The module or a test file changed since the kept copy was made: its results are not this tree's."""
    def tests(root: Path) -> dict[str, bytes]:
        return {str(f.relative_to(root)): f.read_bytes() for f in (root / "tests").rglob("*.py")}
    return (work / module).read_bytes() != (ROOT / module).read_bytes() or tests(work) != tests(ROOT)


def _mutmut_run(work: Path, env: dict, children: int, timeout: float, only: list[str] | None) -> bool:
    """Run mutmut in `work`; False if it was stopped at `timeout` (its finished mutants are kept).

    Its own process group, so that a stop reaches its workers too: SIGTERM, then SIGKILL if it does
    not end. mutmut saves each mutant's result as it comes (SIGINT, tried first at one time, left it
    starting new workers), so a stop loses only the mutants in flight.
    """
    proc = subprocess.Popen(["nice", "-n", "19", str(MUTMUT), "run", "--max-children", str(children),
                             *(only or [])], cwd=work, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 30)):
            try:
                os.killpg(proc.pid, sig)
                proc.communicate(timeout=wait)
                break
            except (subprocess.TimeoutExpired, ProcessLookupError):
                continue
        return False
    if proc.returncode != 0:
        raise SystemExit(f"mutmut run failed ({proc.returncode}) in {work}:\n{err[-3000:]}")
    return True


def run_module(module: str, children: int, timeout: float, only: list[str] | None = None,
               keep: Path | None = None, refresh: bool = False) -> dict:
    """Mutate `module`; with `only`, test just those mutants (the others keep the status they had).

    With `keep`, the copy of the tree lives there and stays: run again with the same folder, an
    interrupted run goes on where it stopped (mutmut keeps each mutant's result while its function
    is unchanged), provided the module and the tests are the ones that copy has. With `refresh` the
    copy takes the tree as it is now: mutmut then tests again the mutants of the functions that
    changed and keeps the others' results (`--survivors` after it tests the survivors again).
    """
    tests = MODULES[module]
    with tempfile.TemporaryDirectory(prefix="deeply-mutate-") as tmp:
        work = keep / "tree" if keep else Path(tmp) / "tree"
        if work.exists() and not refresh and _kept_copy_differs(work, module):
            raise SystemExit(f"{work} holds another version of {module} or of the tests: a run goes on only "
                             "where it stopped; --refresh takes the tree as it is, keeping the results of "
                             "the functions that did not change")
        if not work.exists() or refresh:
            _copy_tree(work, module, tests)
        else:
            configure(work, module, tests)
        mutated = hashlib.sha256((work / module).read_bytes()).hexdigest()  # the source mutmut mutates
        env = {**os.environ, **ENV}
        started = time.monotonic()
        finished = _mutmut_run(work, env, children, timeout, only)
        seconds = time.monotonic() - started
        listing = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=work, env=env,
                                 capture_output=True, text=True, timeout=600).stdout
        statuses = dict(re.findall(r"^\s*(\S+): (.+?)\s*$", listing, re.M))
        if not statuses or (only and not set(only) <= set(statuses)):
            raise SystemExit(f"{module}: mutmut found no mutants (or not the ones asked) in {work}")
        if only:  # the mutants not asked for were killed last time
            statuses = {name: status if name in only else "killed" for name, status in statuses.items()}
        left = {name: status for name, status in statuses.items() if status not in KILLED}
        # "no tests" mutants are named only: no fast test reaches their function; "not checked"
        # ones were not reached before the run was stopped.
        shown = [n for n, s in left.items() if s not in ("no tests", "not checked")]
        diffs = diffs_of(shown, module, work, env)
        survivors = {name: {"status": status, "diff": diffs.get(name, "")} for name, status in left.items()}
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    killed = sum(n for s, n in counts.items() if s in KILLED)
    return {"module": module, "source_sha256": mutated, "tests": tests, "total": len(statuses),
            "killed": killed, "counts": counts, "seconds": round(seconds), "retested": len(only or statuses),
            "finished": finished, "survivors": survivors}


def last_survivors(module: str) -> list[str]:
    """The mutants the last run of `module` left, provided the module is the one it mutated."""
    path = OUT / f"{slug(module)}.json"
    if not path.exists():
        raise SystemExit(f"{module}: no earlier run in {path}: run it whole first")
    last = json.loads(path.read_text())
    if last.get("source_sha256") not in (None, source_hash(module)):
        raise SystemExit(f"{module} changed since its last run: run it whole (its mutants are others)")
    return list(last["survivors"])


def write_report() -> Path:
    results = [json.loads(p.read_text()) for p in sorted(OUT.glob("*.json"))]
    order = list(MODULES)
    results.sort(key=lambda r: order.index(r["module"]) if r["module"] in order else len(order))
    lines = ["# Surviving mutants", "",
             "Written by `make mutate` (`python -m bench.mutation`); the score per module and why each",
             "survivor is equivalent or left are in `bench/RESULTS-mutation.md`.", ""]
    for r in results:
        lines += [f"## {r['module']}: {r['killed']}/{r['total']} killed",
                  "", f"Tests: `{' '.join(r['tests'])}`; statuses: {r['counts']}", ""]
        for name, s in r["survivors"].items():
            if s["diff"]:
                lines += [f"### {name} ({s['status']})", "", "```diff", s["diff"], "```", ""]
        for status, what in (("no tests", "Not reached by the fast tests"),
                             ("not checked", "Not tested before the run was stopped")):
            names = ", ".join(f"`{n}`" for n, s in r["survivors"].items() if s["status"] == status)
            if names:
                lines += [f"{what} (`{status}`): {names}", ""]
    report = OUT / "REPORT.md"
    report.write_text("\n".join(lines))
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all, small ones first)")
    parser.add_argument("--children", type=int, default=2, help="parallel mutmut workers (default 2)")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds per module at most")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the mutated copy in DIR; run again with the same DIR to go on after an "
                             "interrupted run")
    parser.add_argument("--refresh", action="store_true",
                        help="with --keep: bring the kept copy up to the tree (changed functions are tested "
                             "again, the others keep their results)")
    parser.add_argument("--list", action="store_true", help="print the modules and their tests, run nothing")
    parser.add_argument("--survivors", action="store_true",
                        help="test again only the mutants the module's last run left (after adding tests); "
                             "refused if the module changed since")
    args = parser.parse_args(argv)
    if args.list:
        for module, tests in MODULES.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    if args.refresh and not args.keep:
        parser.error("--refresh brings a kept copy up to date: give its --keep DIR")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"not a mutated module: {', '.join(unknown)} (see --list)")
    if not MUTMUT.exists():
        parser.error(f"mutmut is not installed beside {sys.executable}: pip install -e '.[mutation]'")
    OUT.mkdir(parents=True, exist_ok=True)
    for module in args.modules or MODULES:
        print(f"mutating {module} ...", file=sys.stderr, flush=True)
        only = last_survivors(module) if args.survivors else None
        if only == []:
            print(f"{module}: no survivors left to test", file=sys.stderr, flush=True)
            continue
        result = run_module(module, args.children, args.timeout, only,
                            args.keep / slug(module) if args.keep else None, args.refresh)
        (OUT / f"{slug(module)}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        stopped = "" if result["finished"] else " (stopped at --timeout; with --keep DIR a later run goes on)"
        print(f"{module}: {result['killed']}/{result['total']} killed {result['counts']} "
              f"in {result['seconds']} s{stopped}", file=sys.stderr, flush=True)
        write_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
