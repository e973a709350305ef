"""papertide: trending research papers, self-hosted.

The public face is :func:`papertide.app.open_app`, which builds the service
object that the web app, the CLI and (later) the mailer all call.
"""

__version__ = "0.1.0"
