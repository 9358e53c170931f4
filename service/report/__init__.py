"""The coordinators' HTML report: one self-contained file, figures embedded."""

from service.report.render import analyse, render_report

__all__ = ["analyse", "render_report"]
