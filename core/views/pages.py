from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import memberships_of
from core.downloads import attachment_file_response
from core.selectors import attachment_get_for, notification_list_for, notification_unread_count
from core.services import notification_mark_all_read, notification_mark_read
from core.views.helpers import domain_errors

from .dashboard import dashboard_panels


@require_GET
def dashboard(request):
    return render(
        request,
        "core/dashboard.html",
        {
            "memberships": memberships_of(request.user),
            "unread": notification_unread_count(request.user),
            "panels": dashboard_panels(request),
        },
    )


@require_GET
def inbox(request):
    show = "all" if request.GET.get("show") == "all" else "unread"
    qs = notification_list_for(request.user, unread_only=show == "unread")
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = Paginator(qs, 25).get_page(page_number)
    template = "core/inbox.html#inbox-list" if request.htmx else "core/inbox.html"
    return render(request, template, {"page": page, "show": show})


@require_POST
@domain_errors
def inbox_read(request, notification_id: int):
    notification = notification_mark_read(notification_id=notification_id, by=request.user)
    if notification.url and request.POST.get("follow"):
        return HttpResponseRedirect(notification.url)
    return HttpResponseRedirect(reverse("core:inbox"))


@require_POST
def inbox_read_all(request):
    count = notification_mark_all_read(by=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return HttpResponseRedirect(reverse("core:inbox"))


@require_GET
@domain_errors
def attachment_download(request, attachment_id: int):
    attachment = attachment_get_for(request.user, attachment_id=attachment_id)
    return attachment_file_response(request, attachment)
