"""The benchmark (`make bench`): pages timed in the system Chromium against floor pages."""
