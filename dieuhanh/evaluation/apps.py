from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "dieuhanh.evaluation"
    label = "evaluation"
    verbose_name = _("Đánh giá, xếp hạng và khen thưởng")
