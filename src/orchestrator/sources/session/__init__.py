"""Session files: the recorded channel a replay feeds through the bot on a simulated clock."""
