"""Files in and out: project sheets read (with their limits), ledgers and charts written."""
