"""Vietnamese names and places for the demo (seed_demo) and the synthetic province (seed_scale)."""

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi", "Đỗ", "Lâm", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Hoàng", "Kim", "Thị Bích"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Đức", "Hạnh", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Ngân",
    "Phúc", "Phương", "Quang", "Sang", "Tâm", "Thảo", "Thành", "Tiến", "Trang", "Tuấn", "Út", "Vinh", "Yến",
]  # fmt: skip
STREETS = ["Trần Hưng Đạo", "Mậu Thân", "Nguyễn Văn Cừ", "30 Tháng 4", "Lý Tự Trọng", "Cách Mạng Tháng 8"]
ORGANISATIONS = ["Đoàn Thanh niên", "Hội Phụ nữ", "Hội Cựu chiến binh", "Công an khu vực", "Hội Nông dân"]


def person_name(rng):
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
