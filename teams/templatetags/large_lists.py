"""{% large_result_list cl %}: Django's {% result_list cl %}, its rows written by teams.admin_rows."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from teams.admin_rows import result_rows

register = template.Library()


def large_result_list(cl):
    """admin_list.result_list."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": result_rows(cl),
    }


@register.tag(name="large_result_list")
def large_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=large_result_list, template_name="change_list_results.html", takes_context=False
    )
