"""LiaisonBot core: settings, policy, domain, services, jobs, delivery, CLI and wiring."""

import os

# Opt in now to python-telegram-bot's coming change: RetryAfter.retry_after as a timedelta
# (bot/sender.py reads either form).
os.environ.setdefault("PTB_TIMEDELTA", "true")
