"""dxreport: quarterly digital-transformation status reports for Vietnamese DX offices."""

__version__ = "0.1.0"
