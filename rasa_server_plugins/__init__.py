"""Extensions of the Rasa server, installed by its entry point `python -m rasa_server_plugins run …`
(same arguments as `rasa run`). Rasa Open Source has no plugin hook that reaches its Sanic app or
its tracker-store wrapper, so the entry point wraps `rasa.core.run.configure_app` and
`Agent._create_tracker_store` before handing over to Rasa's own command line."""
