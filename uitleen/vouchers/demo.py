"""Demo vouchers: a SIM batch with plenty of codes and a home-internet batch nearly empty."""

from __future__ import annotations

from datetime import timedelta

from uitleen.extensions import db
from uitleen.vouchers import service

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread

SIM_STEPS = {
    "nl": (
        "Zet de simkaart in uw telefoon of in de wifi-router die u kreeg.\n"
        "Zet het toestel aan en wacht tot u bereik ziet.\n"
        "Open de website van Lebara en kies Activeren.\n"
        "Typ uw code en druk op Verder.\n"
        "Na een paar minuten kunt u internetten. U krijgt een sms."
    ),
    "en": (
        "Put the SIM card in your phone or in the wifi router you were given.\n"
        "Switch the device on and wait until you see a signal.\n"
        "Open the Lebara website and choose Activeren.\n"
        "Type your code and press Verder.\n"
        "After a few minutes you can use the internet. You will get a text message."
    ),
    "ar": (
        "ضعوا شريحة SIM في هاتفكم أو في جهاز الواي فاي الذي حصلتم عليه.\n"
        "شغّلوا الجهاز وانتظروا حتى تظهر الإشارة.\n"
        "افتحوا موقع Lebara واختاروا Activeren.\n"
        "اكتبوا الرمز واضغطوا على Verder.\n"
        "بعد بضع دقائق يمكنكم استخدام الإنترنت. ستصلكم رسالة نصية."
    ),
    "tr": (
        "SIM kartı telefonunuza veya size verilen wifi modemine takın.\n"
        "Cihazı açın ve sinyal gelene kadar bekleyin.\n"
        "Lebara'nın web sitesini açın ve Activeren'i seçin.\n"
        "Kodunuzu yazın ve Verder'e basın.\n"
        "Birkaç dakika sonra internete girebilirsiniz. Size bir SMS gelecek."
    ),
    "pl": (
        "Włóż kartę SIM do telefonu lub do otrzymanego routera wifi.\n"
        "Włącz urządzenie i poczekaj, aż pojawi się zasięg.\n"
        "Otwórz stronę internetową Lebara i wybierz Activeren.\n"
        "Wpisz swój kod i naciśnij Verder.\n"
        "Po kilku minutach możesz korzystać z internetu. Dostaniesz SMS."
    ),
    "uk": (
        "Вставте SIM-картку в телефон або в отриманий wifi-роутер.\n"
        "Увімкніть пристрій і зачекайте, доки з'явиться сигнал.\n"
        "Відкрийте сайт Lebara і виберіть Activeren.\n"
        "Введіть свій код і натисніть Verder.\n"
        "За кілька хвилин ви зможете користуватися інтернетом. Ви отримаєте SMS."
    ),
}

HOME_STEPS = {
    "nl": (
        "Sluit het modem aan op het stopcontact en op de internetaansluiting in de muur.\n"
        "Wacht tot het lampje op het modem groen is. Dat duurt soms tien minuten.\n"
        "Open de website die op de doos van het modem staat en typ uw code.\n"
        "Lukt het niet? Bel ons. Wij helpen u, ook bij u thuis."
    ),
    "en": (
        "Plug the modem into the power socket and into the internet socket in the wall.\n"
        "Wait until the light on the modem is green. This can take ten minutes.\n"
        "Open the website printed on the modem's box and type your code.\n"
        "Not working? Call us. We will help you, also at your home."
    ),
    "ar": (
        "صِلوا جهاز المودم بمقبس الكهرباء وبمقبس الإنترنت في الجدار.\n"
        "انتظروا حتى يصبح ضوء المودم أخضر. قد يستغرق ذلك عشر دقائق.\n"
        "افتحوا الموقع المكتوب على علبة المودم واكتبوا الرمز.\n"
        "لم تنجحوا؟ اتصلوا بنا. سنساعدكم، وفي بيتكم أيضًا."
    ),
    "tr": (
        "Modemi prize ve duvardaki internet girişine takın.\n"
        "Modemdeki ışık yeşil olana kadar bekleyin. Bu on dakika sürebilir.\n"
        "Modemin kutusunda yazan web sitesini açın ve kodunuzu yazın.\n"
        "Olmadı mı? Bizi arayın. Size yardım ederiz, evinizde de."
    ),
    "pl": (
        "Podłącz modem do gniazdka elektrycznego i do gniazda internetowego w ścianie.\n"
        "Poczekaj, aż lampka na modemie zaświeci się na zielono. To może potrwać dziesięć minut.\n"
        "Otwórz stronę internetową podaną na pudełku modemu i wpisz swój kod.\n"
        "Nie działa? Zadzwoń do nas. Pomożemy, także u Ciebie w domu."
    ),
    "uk": (
        "Підключіть модем до розетки та до інтернет-розетки в стіні.\n"
        "Зачекайте, доки індикатор на модемі засвітиться зеленим. Це може тривати десять хвилин.\n"
        "Відкрийте сайт, вказаний на коробці модема, і введіть свій код.\n"
        "Не виходить? Зателефонуйте нам. Ми допоможемо, навіть у вас удома."
    ),
}

# provider, product, months, days until the codes expire, activation steps
BATCHES = (
    ("Lebara", "Prepaid SIM 20 GB per maand, 6 maanden", 6, 270, SIM_STEPS),
    ("Stichting Internet Dichtbij", "Thuisinternet, 12 maanden vergoed", 12, 120, HOME_STEPS),
)


def seed(demo) -> None:
    """Two batches (one below the low-stock threshold) and, with demo households, some
    codes handed out over the past months: one redeemed, one revoked."""
    coordinator = demo.users["coordinator"]
    intake = demo.users["intake"]
    today = demo.now.date()
    sim, home = (
        service.create_batch(
            coordinator,
            provider=provider,
            product=product,
            months=months,
            value=None,
            expires_on=today + timedelta(days=days),
            activation_steps=steps,
        )
        for provider, product, months, days, steps in BATCHES
    )
    service.import_codes(coordinator, sim, _codes(demo, 48))
    service.import_codes(coordinator, home, _codes(demo, 9))
    demo.objects["voucher_batches"] = [sim, home]

    households = [h for h in demo.objects.get("households", []) if h.erased_at is None]
    loans = {loan.household_id: loan.id for loan in demo.objects.get("loans", [])}
    given = []
    for index, household in enumerate(households[:14]):
        batch = home if index % 4 == 3 else sim
        voucher = service.assign(intake, batch.id, household.id, loans.get(household.id))
        # Spread over the past months, so the report has something to show.
        voucher.assigned_at = demo.now - timedelta(days=demo.rng.randint(3, 330))
        given.append(voucher)
    if given:
        service.redeem(intake, given[0], "Gebeld: het internet werkt.")
    spare = service.vouchers_of_batch(sim.id, "available", limit=1)
    if spare:
        service.revoke(coordinator, spare[0], "De aanbieder heeft deze code geblokkeerd.")
    db.session.flush()
    demo.objects["vouchers"] = given


def _codes(demo, count: int) -> bytes:
    codes = ("".join(demo.rng.choice(CODE_ALPHABET) for _ in range(16)) for _ in range(count))
    return "\n".join(codes).encode()
