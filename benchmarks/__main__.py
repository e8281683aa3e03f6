"""`python -m benchmarks`: run every benchmark script (see `benchmarks.run_all`)."""

from benchmarks.run_all import main

raise SystemExit(main())
