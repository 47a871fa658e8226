import pytest
from hypothesis import given
from hypothesis import strategies as st

from clienteling import ring_sizes
from clienteling.ring_sizes import SizingSystem


def _sizes(system: SizingSystem):
    if system is SizingSystem.UK:
        return st.integers(0, 50).map(
            lambda i: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i // 2] + ("½" if i % 2 else "")
        )
    low, high, step = ring_sizes.RANGES[system]
    count = int((high - low) / step)
    return st.integers(0, count).map(lambda i: f"{low + i * step:g}")


@pytest.mark.parametrize("system", list(SizingSystem))
@given(data=st.data())
def test_a_size_converts_back_to_itself(system, data):
    size = data.draw(_sizes(system))

    mm = ring_sizes.circumference_mm(system, size)

    assert ring_sizes.size_label(system, mm) == size


@given(
    data=st.data(),
    source=st.sampled_from(list(SizingSystem)),
    target=st.sampled_from(list(SizingSystem)),
)
def test_conversion_round_trip_stays_within_one_step(data, source, target):
    size = data.draw(_sizes(source))
    original_mm = ring_sizes.circumference_mm(source, size)

    converted = ring_sizes.size_label(target, original_mm)
    back_mm = ring_sizes.circumference_mm(target, converted)

    # Within the target's range, the nearest size is within half a step
    # (UK: 1.23 mm a letter, US: about 2.55 mm a size, EU/JP: 1 mm).
    low = ring_sizes.circumference_mm(target, ring_sizes.size_label(target, 0))
    high = ring_sizes.circumference_mm(target, ring_sizes.size_label(target, 1e3))
    if low <= original_mm <= high:
        assert abs(back_mm - original_mm) <= 1.3


@given(st.floats(38, 75), st.floats(38, 75))
def test_conversion_is_monotonic(a, b):
    small, large = sorted((a, b))
    for system in SizingSystem:
        assert ring_sizes.circumference_mm(
            system, ring_sizes.size_label(system, small)
        ) <= ring_sizes.circumference_mm(system, ring_sizes.size_label(system, large))


@pytest.mark.parametrize(
    ("system", "size", "expected"),
    [
        # Usual jeweller's tables: EU 52 ~ US 6 ~ UK L½ ~ JP 12.
        ("EU", "52", {"EU": "52", "US": "6", "UK": "L½", "JP": "12"}),
        ("US", "7", {"US": "7", "EU": "54.5", "UK": "N½", "JP": "14"}),
        ("UK", "N", {"UK": "N", "EU": "54", "US": "6.75"}),
    ],
)
def test_known_conversions(system, size, expected):
    conversions = ring_sizes.convert(system, size)

    for key, value in expected.items():
        assert conversions[key] == value


def test_uk_half_sizes_accept_common_spellings():
    assert ring_sizes.circumference_mm("UK", "N 1/2") == ring_sizes.circumference_mm(
        "UK", "N½"
    )


def test_sizes_beyond_another_systems_range_are_not_clamped():
    conversions = ring_sizes.convert("EU", "76")

    assert conversions["EU"] == "76"
    assert conversions["UK"] == ring_sizes.OUT_OF_RANGE  # Z is 68.55 mm
    assert conversions["JP"] == ring_sizes.OUT_OF_RANGE  # JP 30 is 70 mm
    assert conversions["US"] == "15.5"
