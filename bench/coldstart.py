"""Cold start: the import time of each built handler in a fresh process, beside the floor.

The floor is what any Python Lambda function on boto3 pays: `import boto3` plus one client. Each
handler is imported the way the Lambda runtime imports it: a fresh `python -S -E` (no site
packages, so only the function's code and the built layer are on the path) with the function's
environment variables from the built template. Needs `make sam-build` first.

Then, unless `--first-event-runs 0`, what the first invocation costs on top (bench.first_event).

    python -m bench.coldstart [--build-dir .aws-sam/build] [--runs 7] [--first-event-runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bench.report import docs_main

REPO = Path(__file__).resolve().parent.parent

# Imports `module` (a handler's module, or a code snippet for the floor) and prints seconds.
_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
start = time.perf_counter()
{body}
print(time.perf_counter() - start)
"""
_FLOOR = "import boto3\nboto3.client('s3')"


class _Loader(yaml.SafeLoader):
    pass


class _Intrinsic(str):
    """A CloudFormation intrinsic (`!Ref X`, `!GetAtt ...`): kept as its tag and argument."""

    tag: str


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    argument = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else ""
    value = _Intrinsic(argument)
    value.tag = suffix
    return value


_Loader.add_multi_constructor("!", _any_tag)


def _concrete(name: str, value: Any, parameters: dict[str, Any]) -> str:
    """An environment value as the deployed function would see it, near enough for an import."""
    ref = str(value) if isinstance(value, _Intrinsic) and value.tag == "Ref" else None
    if isinstance(value, dict) and set(value) == {"Ref"}:  # sam build writes intrinsics as mappings
        ref = str(value["Ref"])
    if ref is not None and ref in parameters:
        return str(parameters[ref].get("Default", ""))
    if isinstance(value, _Intrinsic | dict):
        return f"bench-{name.lower().replace('_', '-')}"
    return str(value)


def functions(build_dir: Path) -> dict[str, dict[str, Any]]:
    """Each built function's code dir, handler module and environment (values made concrete)."""
    text = (build_dir / "template.yaml").read_text(encoding="utf-8")
    template = yaml.load(text, Loader=_Loader)
    parameters = template.get("Parameters", {})
    globals_env = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    out: dict[str, dict[str, Any]] = {}
    for name, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        variables = {**globals_env, **props.get("Environment", {}).get("Variables", {})}
        out[name] = {
            "code": str(build_dir / name),
            "module": props["Handler"].rsplit(".", 1)[0],
            "env": {key: _concrete(key, value, parameters) for key, value in variables.items()},
        }
    return out


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "LAMBDA_TASK_ROOT": "/var/task",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
    }
    env.update(extra)
    return env


def measure(body: str, paths: list[str], env: dict[str, str], runs: int) -> list[float]:
    code = _PROBE.format(paths=paths, body=body)
    times = []
    for _ in range(runs):
        done = subprocess.run(
            # -B: Lambda's code and layers are read-only, so nothing the import compiles is kept for
            # the next cold start; only the .pyc files the build ships count.
            [sys.executable, "-B", "-S", "-E", "-c", code],
            env=_environment(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"import failed:\n{done.stderr[-2000:]}")
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return times


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=REPO / ".aws-sam" / "build")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--first-event-runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not (args.build_dir / "template.yaml").exists():
        print(f"no build at {args.build_dir}: run `make sam-build` first", file=sys.stderr)
        return 2
    layer = str(args.build_dir / "NewsdeskLayer" / "python")
    load_at_start = os.getloadavg()[0]
    results: dict[str, float] = {}
    # Interleave the floor and the handlers so machine load weighs on all alike.
    samples: dict[str, list[float]] = {"floor (boto3 + 1 client)": []}
    found = functions(args.build_dir)
    for name in found:
        samples[name] = []
    for _ in range(args.runs):
        samples["floor (boto3 + 1 client)"] += measure(_FLOOR, [layer], {}, 1)
        for name, fn in found.items():
            samples[name] += measure(f"import {fn['module']}", [fn["code"], layer], fn["env"], 1)
    for name, values in samples.items():
        results[name] = statistics.median(values) * 1000
    floor = results["floor (boto3 + 1 client)"]
    # Timings move with the machine's load: say it (2 cores here, shared).
    load = f"load average {load_at_start:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    print(f"cold-start import, median of {args.runs} fresh processes (python -B -S -E, built layer): {load}")
    print(f"{'what':<28}{'ms':>9}{'x floor':>9}")
    for name, ms in results.items():
        print(f"{name:<28}{ms:9.0f}{ms / floor:9.2f}")
    output: dict[str, Any] = {"runs": args.runs, "median_ms": results}
    if args.first_event_runs > 0:
        from bench import first_event

        first = first_event.measure(args.build_dir, args.first_event_runs)
        first_event.report(first, args.first_event_runs)
        output["first_event"] = {"runs": args.first_event_runs, "median_ms": first}
    if args.json:
        args.json.write_text(json.dumps(output, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    return docs_main("bench-coldstart", "bench.coldstart", _main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
