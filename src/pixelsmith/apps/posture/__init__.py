"""Posture Coach: keep your neck from drifting forward ("turtle neck") while you work.

The slice owns its pipeline (features.py: pure features from pose landmarks; state.py:
smoothing and the good / warn / bad state machine; stream.py: one live session per WebSocket;
photo.py: single-photo craniovertebral-angle estimate; charts.py: SVG history charts), its
routes (the /posture page, the /api/v1/posture/stream WebSocket and /api/v1/posture), the
`pixelsmith posture` CLI and its tests. Frames are processed in memory and never stored.
"""

from pixelsmith.core.web.appinfo import AppInfo

APP = AppInfo(slug="posture", icon="posture", status="ready")
