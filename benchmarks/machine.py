"""A description of the machine and versions that a set of figures was measured on."""

from __future__ import annotations

import os
import platform
from importlib import metadata

PACKAGES = ("tensorflow", "keras", "textual", "pandas", "numpy")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine() -> str:
    """Return the CPU count and model, memory, load, Python and package versions as lines."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    versions = ", ".join(f"{package} {_version(package)}" for package in PACKAGES)
    return "\n".join([
        f"cpus: {os.cpu_count()} ({_cpu_model()}), memory {_memory_gib()}, load average {load}",
        f"python {platform.python_version()}; {versions}",
    ])
