from django.contrib import admin
from django.urls import path

from designer import views
from designer.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("designer/", views.designer_list, name="designer-list"),
    path("designer/flows/<slug:key>/", views.designer_editor, name="designer-editor"),
    path("screens/", views.screen_list, name="screen-list"),
    path("screens/<slug:key>/", views.screen_page, name="screen"),
]
