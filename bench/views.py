"""The benchmark's yardstick (bench/run.py): an authenticated page that renders base.html and reads no data.

Every page's latency is reported as a ratio to this one, measured in the same
run, so the targets of issue 6 do not depend on the machine.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def trivial(request):
    return render(request, "base.html")
