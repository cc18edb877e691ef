"""Leader broadcasts: compose, send or schedule, deliver, acknowledge and report."""
