"""Faults injected into the real processes and servers, each script printing its figures and
writing results/faults/<name>.json (`make faults` runs every script here that has a `main()`)."""
