"""LiaisonBot core: settings, policy, domain, services, jobs, delivery, CLI and wiring."""
