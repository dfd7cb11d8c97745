"""What operators and the services share: the engine plus the search log, operator keys, run
records and schedules (`operations.app.App`), used by the CLI, the API and the scheduler alike."""
