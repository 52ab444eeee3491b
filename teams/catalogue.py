"""The default help catalogue of DESIGN.md. Codes are stable; names are editable in admin."""

CATALOGUE = [
    ("province_app", "Cài ứng dụng công dân của tỉnh", "Install the province's citizen app", "government"),
    (
        "vneid_level2",
        "Kích hoạt định danh điện tử VNeID mức 2",
        "Activate VNeID electronic identity, level 2",
        "government",
    ),
    (
        "public_service_account",
        "Tài khoản Cổng Dịch vụ công quốc gia",
        "National Public Service Portal account",
        "government",
    ),
    (
        "online_filing",
        "Nộp hồ sơ, thanh toán phí dịch vụ công trực tuyến",
        "File an application and pay its fee online",
        "government",
    ),
    ("ewallet", "Ví điện tử / Mobile Money", "E-wallet or Mobile Money", "economy"),
    (
        "cashless_payment",
        "Tài khoản ngân hàng, thanh toán không dùng tiền mặt",
        "Bank account and cashless payment",
        "economy",
    ),
    ("ecommerce", "Đưa sản phẩm lên sàn thương mại điện tử", "Products on an e-commerce platform", "economy"),
    ("health_record", "Sổ sức khỏe điện tử", "Electronic health record", "society"),
    ("online_safety", "Kỹ năng an toàn trên mạng, phòng chống lừa đảo", "Online safety and scam awareness", "society"),
]


def catalogue_install(service_model):
    """Create the default services that are missing; leave edited ones alone."""
    for order, (code, name, name_en, pillar) in enumerate(CATALOGUE, start=1):
        service_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "pillar": pillar, "order": order * 10}
        )
