"""Pure: models, money, dates and periods, working days, policy, settings, flags, standing,
bulletin and quarter figures, input parsers. No I/O, no Telegram."""
