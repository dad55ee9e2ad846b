"""Developer tools outside the runtime package."""
