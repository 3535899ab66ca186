"""Page views: thin adapters that render templates from selectors' data."""

from django.shortcuts import render


def home(request):
    return render(request, "frontend/home.html")
