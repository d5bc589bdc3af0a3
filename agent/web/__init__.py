"""The browser app's plain logic: everything `agent/app.py` needs that is not a Chainlit handler.

`settings` (paths and the live engine, from the environment), `persistence` (the SQL schema for
Chainlit's SQLAlchemy data layer, and local file storage), `auth` (who may sign in), `views` (the
Markdown the page shows, with outside text made inert), `charts` (Plotly figures), `history` (scores
over time), `files` (serving saved downloads to their owner), `offline_page` (a page that loads
nothing from outside) and `room` (the interview flow, the one module here that talks to Chainlit's
message API). Only `room` imports Chainlit at import time, so the CLI and these helpers stay light.
"""
