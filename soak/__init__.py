"""`make soak`: load and soak through the public origin (the console app's socket.io), on the
embedded setup, with figures. See soak/__main__.py."""
