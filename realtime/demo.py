"""Demo chat for ``manage.py seed_demo``: a lively lounge in 퍼포먼스 마케팅
and the archive of the meetup it held two weeks ago. Created once; a second
run changes nothing."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.models import Community, Membership
from events.demo import ENDED_TITLE, LIVE_TITLE
from events.models import Application, ApplicationStatus, Gathering
from realtime.models import Message, Room

LOUNGE = [
    "다들 이번 주 ROAS 어떠세요? 저는 주말 지나고 좀 빠졌네요",
    "저희도요. 특히 리타겟팅 캠페인 CPA가 확 올랐어요.",
    "iOS 쪽 전환 추적 바뀐 뒤로 다들 비슷한 것 같아요.",
    "혹시 MMP 바꿔 보신 분 있나요? 비교 후기가 궁금해요.",
    "작년에 바꿨는데 데이터 이관이 제일 힘들었어요. 스레드로 정리해 볼게요!",
    "오 기대됩니다!",
    "다음 모임 주제로 크리에이티브 테스트 설계 어떨까요?",
    "좋아요! 신청 열리면 바로 신청할게요.",
]
LIVE = [
    "점심 맛있게 드세요! 오늘은 요즘 캠페인 이야기 편하게 나눠요.",
    "안녕하세요, 처음 참여해요.",
    "환영합니다! 요즘 다들 어떤 매체 비중을 늘리고 계세요?",
    "저희는 숏폼 비중을 30%까지 올렸어요.",
    "오 성과는 어떠셨어요? CPA 기준으로 궁금해요.",
]
MEETUP = [
    "안녕하세요! 화면 공유 잘 보이시나요?",
    "네 잘 보여요.",
    "2분기 대비 CPC가 18% 올랐다는 부분, 업종 평균도 비슷한가요?",
    "저희 쪽은 12% 정도였어요. 입찰 전략을 바꾼 효과가 있었던 것 같아요.",
    "발표 자료 공유 부탁드려요!",
    "모임 끝나고 커뮤니티 게시판에 올려 둘게요. 오늘 감사했습니다!",
]


def _fill(room: Room, lines: list[str], authors: list, start, step) -> None:
    Message.objects.bulk_create(
        [
            Message(
                room=room,
                seq=seq,
                client_id=f"demo-{seq}",
                author=authors[(seq - 1) % len(authors)],
                body=body,
                created_at=start + step * (seq - 1),
            )
            for seq, body in enumerate(lines, start=1)
        ]
    )
    Room.objects.filter(pk=room.pk).update(last_seq=len(lines))


@transaction.atomic
def seed_chat() -> int:
    """Returns how many messages the demo rooms hold."""
    now = timezone.now()
    community = Community.objects.get(slug="performance-marketing")
    lounge, _created = Room.objects.get_or_create(community=community)
    if not lounge.messages.exists():
        members = [
            m.member
            for m in Membership.objects.filter(community=community)
            .select_related("member")
            .order_by("member__email")[:5]
        ]
        _fill(lounge, LOUNGE, members, now - timedelta(hours=3), timedelta(minutes=9))
    for title, lines, start, step in [
        (ENDED_TITLE, MEETUP, None, timedelta(minutes=17)),
        (LIVE_TITLE, LIVE, now - timedelta(minutes=9), timedelta(minutes=2)),
    ]:
        gathering = Gathering.objects.filter(community=community, title=title).first()
        if gathering is None:
            continue
        room, _created = Room.objects.get_or_create(gathering=gathering)
        if room.messages.exists():
            continue
        attendees = [
            a.member
            for a in Application.objects.filter(
                gathering=gathering, status=ApplicationStatus.CONFIRMED
            )
            .select_related("member")
            .order_by("rank", "created_at")[:4]
        ]
        first = start or gathering.starts_at + timedelta(minutes=3)
        _fill(room, lines, attendees, first, step)
    return Message.objects.filter(room__community=community).count() + (
        Message.objects.filter(room__gathering__community=community).count()
    )
