from django.conf import settings
from django.contrib import admin
from django.urls import path

from designer import views
from designer.api import api
from runtime import task_views

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("designer/", views.designer_list, name="designer-list"),
    path("designer/flows/<slug:key>/", views.designer_editor, name="designer-editor"),
    path("screens/", views.screen_list, name="screen-list"),
    path("screens/<slug:key>/", views.screen_page, name="screen"),
    path("tasks/", task_views.task_list, name="task-list"),
    path("tasks/<int:wait_id>/", task_views.task_page, name="task"),
]

if settings.SLUICE_BENCHMARK_BASELINE:
    # Unauthenticated on purpose, so only mounted when the API benchmark asks for it.
    urlpatterns.insert(0, path("api/bare/", views.bare_json, name="bare-json"))
