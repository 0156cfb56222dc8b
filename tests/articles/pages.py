"""Article pages and feeds written for the web-ingestion tests (Arabic, as outlets publish them)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

PARAGRAPHS = [
    "قصفت {actor} بلدة كفرنبل في ريف إدلب الجنوبي صباح الثلاثاء، ما أدى إلى مقتل ثلاثة مدنيين "
    "وإصابة آخرين بجروح متفاوتة، بحسب ما أفاد به الدفاع المدني السوري في بيان نشره على موقعه.",
    "وقال مسؤول في الدفاع المدني إن فرق الإنقاذ عملت لساعات على انتشال العالقين تحت الأنقاض، "
    "مشيرا إلى أن القصف استهدف منازل سكنية وسوقا شعبيا في وسط البلدة خلال ساعات الذروة.",
    "ويأتي هذا التصعيد بعد أيام من اجتماع عقدته الأطراف الضامنة لاتفاق خفض التصعيد، "
    "دون أن يسفر عن نتائج ملموسة بشأن وقف إطلاق النار في المنطقة أو عودة النازحين.",
    "وتشهد المنطقة موجات نزوح متكررة منذ مطلع العام، إذ تقدر منظمات إنسانية عدد النازحين "
    "بعشرات الآلاف ممن يقيمون في مخيمات على الحدود التركية في ظروف معيشية صعبة.",
]

OTHER_STORY = [
    "أعلنت {actor} سيطرتها على قرية في ريف حلب الشمالي بعد اشتباكات استمرت يومين مع فصائل "
    "المعارضة المسلحة، وسط غارات جوية مكثفة على الطرق المؤدية إلى مدينة أعزاز الحدودية.",
    "وذكرت مصادر محلية أن عشرات العائلات غادرت القرى المجاورة باتجاه المخيمات القريبة من "
    "الحدود، في حين أغلقت المدارس أبوابها خشية امتداد المعارك إلى الأحياء السكنية.",
    "وتحدث ناشطون عن انقطاع الكهرباء والمياه عن عدة بلدات منذ بدء الهجوم، وعن صعوبة وصول "
    "سيارات الإسعاف إلى الجرحى بسبب استمرار القصف المدفعي على الطرقات الرئيسية.",
]


def article_html(
    title: str,
    *,
    actor: str = "ميليشيا أسد",
    meta_charset: str | None = "utf-8",
    extra: str = "",
    paragraphs: list[str] = PARAGRAPHS,
) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    body = "\n".join(f"<p>{p.format(actor=actor)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>{title}</title>'
        '<meta property="article:published_time" content="2024-03-05T08:00:00Z"></head><body>'
        '<nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a></nav>'
        f"<article><h1>{title}</h1>{body}{extra}</article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def rss(items: list[tuple[str, str]], *, title: str = "أخبار") -> str:
    """An RSS 2.0 feed of (title, link) items."""
    date = format_datetime(datetime(2024, 3, 5, 8, tzinfo=UTC))
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate></item>"
        for t, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{entries}</channel></rss>"
    )
