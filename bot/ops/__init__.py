"""Operations: metrics, logging, shutdown, backup, health checks (doctor) and the Teams app package."""
