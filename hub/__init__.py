"""The comfort-hub service: sessions, the MQTT relay, alerts, storage, web API and the CLI."""
