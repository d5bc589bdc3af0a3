"""The browser app's plain logic: everything `agent/app.py` needs that is not a Chainlit handler.

`settings` (paths and environment), `persistence` (the SQL data layer and its schema), `auth`
(who may sign in), `views` (the Markdown the page shows), `charts` (Plotly figures), `history`
(scores over time), `files` (serving saved downloads) and `room` (the interview flow, which is
the only module here that talks to Chainlit's message API). Importing this package never imports
Chainlit; the CLI stays light.
"""
