"""Running the bot: the Application's wiring, the update inbox, the outbox sender, the scheduler."""
