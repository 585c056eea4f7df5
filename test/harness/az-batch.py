"""
Runs Azure CLI commands for test/harness/azure-cli.ts without a Python start and the import of az's modules per
command (about half of a command's CPU): this process imports them once, then forks a child per command that runs
az's own entry point (`python3 -m azure.cli`, what /usr/bin/az runs) with the command's arguments and environment,
its stdout and stderr in files, stdin /dev/null. Each command gets a fresh process state, as from a terminal.
One request a line on fd 3, as JSON: {"args": [...], "env": {...}}; one answer a line on fd 3:
{"code": N, "stdout": "...", "stderr": "..."}.
"""
import importlib
import json
import os
import runpy
import sys
import tempfile
import traceback

channel_in = os.fdopen(3, "r", encoding="utf-8")
channel_out = os.fdopen(os.dup(3), "w", encoding="utf-8")

# What nearly every command imports; a module missing here is imported by the command itself.
for module in (
    "azure.cli.core",
    "azure.cli.core.commands",
    "azure.cli.core.commands.arm",
    "azure.cli.core.commands.client_factory",
    "azure.cli.core._profile",
    "azure.cli.core.auth.identity",
    "azure.cli.core.telemetry",
    "azure.cli.core.intercept_survey",
    "azure.mgmt.core",
    "azure.core.pipeline",
    "knack.completion",
    "msal",
    "requests",
    "jmespath",
):
    try:
        importlib.import_module(module)
    except ImportError:
        pass


def run_command(request):
    channel_in.close()
    channel_out.close()
    os.environ.update(request.get("env", {}))
    sys.argv = ["az", *request["args"]]
    code = 1
    try:
        runpy.run_module("azure.cli", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as ex:
        code = ex.code if isinstance(ex.code, int) else (0 if ex.code is None else 1)
    except BaseException:  # az would print it and exit 1
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


for line in channel_in:
    request = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            run_command(request)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        answer = {
            "code": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }
    channel_out.write(json.dumps(answer) + "\n")
    channel_out.flush()
