"""The app's language: Vietnamese for everybody, whatever the browser asks; English for those who choose it.

`UserLanguageMiddleware` replaces Django's LocaleMiddleware, which would
follow the browser's Accept-Language: an official whose browser asks for
English got an English app and English exports. The language is the one kept
on the user's account (`teams.preferences`), or for a visitor not logged in
(the login page) the language cookie the switcher sets, else Vietnamese.
`language_set` is the switcher: it keeps the choice on the account.
"""

from django.conf import settings
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from teams.preferences import language_choose, language_of

AVAILABLE = dict(settings.LANGUAGES)
# The account's language, read once per session (then no query per page); the switcher updates both.
SESSION_KEY = "gocua_language"


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: the user's language, else the cookie's, else settings.LANGUAGE_CODE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        if request.user.is_authenticated:
            language = request.session.get(SESSION_KEY)  # "": the account has no choice
            if language != "" and language not in AVAILABLE:
                language = language_of(request.user) or ""
                request.session[SESSION_KEY] = language
        if not language:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = cookie if cookie in AVAILABLE else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def language_set(request):
    """POST language=vi|en (and next=): the switcher in every page's footer. Kept on the account when logged in,
    and in the language cookie (the login page's language)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in AVAILABLE:
        if request.user.is_authenticated:
            language_choose(user=request.user, language=language)
            request.session[SESSION_KEY] = language
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
