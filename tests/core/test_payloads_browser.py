"""Stored XSS, tried in real Chromium: hostile text in every field a page or a map shows.

Services and a structure are written (committed) with a corpus of payloads in each text field:
template-literal injection (folium writes tooltips and popups into JavaScript `…` literals),
HTML attribute break-out, `</script>`, event handlers, JavaScript escapes (\\u003c) that a
template literal would decode. Each page is loaded, every Leaflet tooltip and popup of every
map is opened, and the test asserts that no dialog opened and that the Content-Security-Policy
reported no violation: a violation would mean an escaping slip that only the CSP caught.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.support.people import PASSWORD

pytestmark = pytest.mark.browser

PAYLOADS = [
    "${alert('template-literal')}",
    "`+alert('backtick')+`",
    "\"><img src=x onerror=alert('attribute-dq')>",
    "'><svg onload=alert('attribute-sq')>",
    "</script><script>alert('script-close')</script>",
    "\\u003cimg src=x onerror=alert('unicode-escape')\\u003e",
    "\\x3cimg src=x onerror=alert('hex-escape')\\x3e",
    "<a href=\"javascript:alert('js-url')\">lien</a>",
    "<b onmouseover=alert('handler')>survol</b>{{7*7}}",
    # Descriptions are rendered as Markdown: links, images and raw HTML written in it.
    "[lien](javascript:alert('md-link'))",
    "**[gras](JaVaScRiPt:alert('md-bold'))**",
    "![image](https://example.org/x.png \"onerror=alert('md-image')\")",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "* <script>alert('md-raw')</script>\r\n• <img src=x onerror=alert('md-list')>",
]
# What the Markdown subset may produce in a description, and nothing else.
MARKDOWN_TAGS = {"P", "BR", "STRONG", "EM", "CODE", "UL", "OL", "LI", "A"}
EVERYTHING = " ".join(PAYLOADS)
POINT = (2.3574, 48.9362)  # Saint-Denis

# Every text field a page shows (codes, URLs, e-mail and phone are validated on input).
SERVICE_TEXT_FIELDS = (
    "nom",
    "description",
    "adresse",
    "complement_adresse",
    "commune",
    "horaires_accueil",
    "conditions_acces",
    "publics_precisions",
    "frais_precisions",
    "mobilisation_precisions",
    "contact_nom_prenom",
)
STRUCTURE_TEXT_FIELDS = (
    "nom",
    "description",
    "adresse",
    "complement_adresse",
    "commune",
    "horaires_accueil",
    "accessibilite_lieu",
)

NAME_LENGTH = 150  # structure.nom and service.nom are varchar(150)


def _fit(payloads: list[str], length: int) -> str:
    """As many payloads as a column of `length` characters holds."""
    text = ""
    for payload in payloads:
        if len(text) + len(payload) + 1 > length:
            break
        text = f"{text} {payload}".strip()
    return text


RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""

# Opens every tooltip and popup of every Leaflet map of the page, including the markers
# held in cluster groups (their content is opened on the map at its centre).
OPEN_EVERYTHING = """
() => {
  let opened = 0;
  const maps = Object.keys(window)
    .map((name) => { try { return window[name]; } catch (e) { return null; } })
    .filter((value) => value instanceof L.Map);
  for (const map of maps) {
    const seen = new Set();
    const contentOf = (value, layer) => (typeof value === 'function' ? value(layer) : value);
    const walk = (layer) => {
      if (seen.has(layer)) return;
      seen.add(layer);
      if (layer.getLayers) layer.getLayers().forEach(walk);
      const tip = layer.getTooltip && layer.getTooltip();
      if (tip) {
        if (map.hasLayer(layer)) layer.openTooltip();
        L.tooltip({permanent: true}).setLatLng(map.getCenter())
          .setContent(contentOf(tip.getContent(), layer)).addTo(map);
        opened += 1;
      }
      const pop = layer.getPopup && layer.getPopup();
      if (pop) {
        if (map.hasLayer(layer)) layer.openPopup();
        L.popup().setLatLng(map.getCenter())
          .setContent(contentOf(pop.getContent(), layer)).openOn(map);
        opened += 1;
      }
    };
    map.eachLayer(walk);
  }
  return {maps: maps.length, opened: opened};
}
"""


@pytest.fixture
def hostile_catalogue(live_server):
    from geoalchemy2.elements import WKTElement

    from dora.accounts import operations
    from dora.accounts.models import Membership
    from dora.catalogue.models import Service, Structure
    from dora.extensions import db

    app, _ = live_server
    point = WKTElement(f"POINT({POINT[0]} {POINT[1]})", srid=4326)
    with app.app_context():
        structure = Structure(
            id="xss--structure",
            source="test",
            date_maj=date.today(),
            code_insee="93066",
            code_postal="93200",
            location=point,
            location_precision="adresse",
            longitude=POINT[0],
            latitude=POINT[1],
            **dict.fromkeys(STRUCTURE_TEXT_FIELDS, EVERYTHING),
        )
        structure.nom = _fit(PAYLOADS, NAME_LENGTH)
        db.session.add(structure)
        for index, payload in enumerate(PAYLOADS):
            lon, lat = POINT[0] + 0.01 * index, POINT[1] + 0.004 * index
            db.session.add(
                Service(
                    id=f"xss--service-{index}",
                    source="test",
                    structure_id=structure.id,
                    date_maj=date.today(),
                    statut="publie",
                    thematiques=["mobilite--entretenir-reparer-son-vehicule"],
                    publics=["tous-publics"],
                    modes_accueil=["en-presentiel"],
                    zone_eligibilite=["93"],
                    code_insee="93066",
                    code_postal="93200",
                    # One service located at the commune only: drawn as a circle with a tooltip.
                    location=WKTElement(f"POINT({lon} {lat})", srid=4326),
                    location_precision="commune" if index == 1 else "adresse",
                    longitude=lon,
                    latitude=lat,
                    **dict.fromkeys(SERVICE_TEXT_FIELDS, f"{payload} mobilité {index}"),
                )
            )
        # A member of the structure, for the publishing pages (management page, editor).
        member = operations.create_user(db.session, MEMBER, PASSWORD, verified=True)
        member.nom_complet = _fit(PAYLOADS[2:], NAME_LENGTH)
        db.session.add(Membership(user_id=member.id, structure_id=structure.id, role="admin"))
        db.session.commit()
        db.session.remove()
    yield [f"xss--service-{index}" for index in range(len(PAYLOADS))]
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM user_account WHERE email = :e"), {"e": MEMBER})
        db.session.execute(sa.text("DELETE FROM service WHERE id LIKE 'xss--%'"))
        db.session.execute(sa.text("DELETE FROM structure WHERE id LIKE 'xss--%'"))
        db.session.commit()
        db.session.remove()


MEMBER = "membre-xss@exemple.fr"
HOSTILE_SIRET = "90909090400006"


@pytest.fixture
def hostile_offers(live_server, hostile_catalogue):
    """The offers (dora.offers) with the payloads: a training and its session, an employer,
    a company hosting immersions and its métiers. Returns the session's id."""
    from dora.extensions import db

    app, _ = live_server
    with app.app_context():
        connection = db.session.connection()
        connection.execute(
            sa.text(
                """INSERT INTO offer_service (service_id, kind, source, source_id, details)
                VALUES ('xss--service-3', 'formation', 'test', :payload,
                        CAST(:details AS jsonb)),
                       ('xss--service-4', 'emploi-inclusif', 'test', 'poste', '{}')"""
            ),
            {
                "payload": EVERYTHING,
                "details": '{"resultats_attendus": %s, "rythme": %s, "duree_indicative": %s}'
                % ((json_string(EVERYTHING),) * 3),
            },
        )
        connection.execute(
            sa.text(
                """INSERT INTO offer_structure (structure_id, kind, employer_kind, source,
                    source_id, details)
                VALUES ('xss--structure', 'employeur-inclusif', 'ACI', 'test', 'xss', '{}')"""
            )
        )
        session_id = connection.execute(
            sa.text(
                """INSERT INTO training_session (service_id, source_id, debut, fin, adresse,
                    commune, location)
                VALUES ('xss--service-3', :payload, current_date + 30, current_date + 90,
                    :payload, :payload, ST_GeogFromText(:point)) RETURNING id"""
            ),
            {"payload": EVERYTHING, "point": f"SRID=4326;POINT({POINT[0]} {POINT[1]})"},
        ).scalar_one()
        connection.execute(
            sa.text(
                """INSERT INTO immersion_company (siret, source, date_maj, nom, enseigne,
                    naf_libelle, adresse, commune, location, volontaire, informations)
                VALUES (:siret, 'test', current_date, :payload, :payload, :payload, :payload,
                    :payload, ST_GeogFromText(:point), true, :payload)"""
            ),
            {
                "siret": HOSTILE_SIRET,
                "payload": EVERYTHING,
                "point": f"SRID=4326;POINT({POINT[0] + 0.002} {POINT[1]})",
            },
        )
        for index, payload in enumerate(PAYLOADS):
            connection.execute(
                sa.text(
                    """INSERT INTO immersion_metier VALUES
                    (:siret, :code, :payload, 'D1106', :payload)"""
                ),
                {"siret": HOSTILE_SIRET, "code": str(10000 + index), "payload": payload},
            )
        db.session.commit()
        db.session.remove()
    yield session_id
    with app.app_context():
        db.session.execute(
            sa.text("DELETE FROM immersion_company WHERE siret = :s"), {"s": HOSTILE_SIRET}
        )
        db.session.commit()
        db.session.remove()


def json_string(value: str) -> str:
    import json

    return json.dumps(value)


def _offer_pages(session_id: int) -> list[str]:
    return [
        "/formations/xss--service-3",
        f"/formations/sessions/{session_id}",
        "/employeurs/xss--structure",
        f"/entreprises-accueillantes/{HOSTILE_SIRET}",
        "/entreprises-accueillantes?commune=93066&rayon_km=5",
        "/recherche?commune=93066&rayon_km=5&offre=formations",
    ]


def _member_pages(service_ids: list[str]) -> list[str]:
    return [
        f"/mes-services/{service_ids[0]}",
        f"/mes-services/{service_ids[2]}/modifier",
        "/mon-espace/structures/xss--structure",
        "/mon-espace/structures/xss--structure/services",
        "/mes-services",
    ]


def _pages(service_ids: list[str]) -> list[str]:
    titre = quote(EVERYTHING[:80])
    return [
        *(f"/services/{service_id}" for service_id in service_ids[:3]),
        "/structures/xss--structure",
        "/recherche?commune=93066&rayon_km=5",
        "/recherche?commune=93066&q=mobilite&rayon_km=5",
        "/territoires/commune/93066",
        "/territoires/departement/93",
        f"/embed/carte?territoire=commune:93066&titre={titre}",
    ]


def test_no_payload_runs_on_any_page_or_map(
    live_server, hostile_catalogue, hostile_offers, browser, artifacts
):
    _, base_url = live_server
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems: list[str] = []
    current = {"path": ""}

    def on_dialog(dialog) -> None:
        problems.append(f"{current['path']}: dialog {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: problems.append(f"{current['path']}: error {error}"))
    opened_total = 0
    try:
        for path in [*_pages(hostile_catalogue), *_offer_pages(hostile_offers)]:
            current["path"] = path
            response = page.goto(base_url + path, wait_until="networkidle")
            assert response is not None and response.status == 200, path
            opened = page.evaluate(OPEN_EVERYTHING)
            page.wait_for_timeout(150)
            if opened["maps"] == 0:
                problems.append(f"{path}: no map drawn")
            opened_total += opened["opened"]
            problems.extend(f"{path}: CSP {v}" for v in page.evaluate("window.__violations"))
        # The member's side: the same text on the management pages and in the editor.
        page.goto(base_url + "/connexion")
        page.get_by_label("Adresse e-mail").fill(MEMBER)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/mon-espace")
        for path in _member_pages(hostile_catalogue):
            current["path"] = path
            response = page.goto(base_url + path, wait_until="networkidle")
            assert response is not None and response.status == 200, path
            if page.evaluate("() => Boolean(window.L)"):
                page.evaluate(OPEN_EVERYTHING)
            page.wait_for_timeout(150)
            problems.extend(f"{path}: CSP {v}" for v in page.evaluate("window.__violations"))
        # The editor's Markdown preview of every payload at once.
        current["path"] = "aperçu"
        page.goto(base_url + f"/mes-services/{hostile_catalogue[2]}/modifier")
        page.locator("#description").fill("\n\n".join(PAYLOADS))
        page.get_by_role("button", name="Aperçu de la description").click()
        page.locator("#description-preview p").first.wait_for()
        page.wait_for_timeout(300)
        problems.extend(_markdown_problems(page, "#description-preview", "aperçu"))
        problems.extend(f"aperçu: CSP {v}" for v in page.evaluate("window.__violations"))
        page.goto(base_url + "/services/xss--service-0", wait_until="networkidle")
        page.evaluate(OPEN_EVERYTHING)
        page.screenshot(path=str(artifacts / "payloads-service.png"), full_page=True)
    finally:
        context.close()
    assert problems == []
    # Popups and tooltips were really opened (each service page: marker tooltip and popup).
    assert opened_total >= 10


def _markdown_problems(page, selector: str, where: str) -> list[str]:
    """Elements outside the Markdown subset, attributes other than a link's href and rel, and
    links that are not http(s)/mailto/tel, inside `selector`."""
    found = page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + ' *')).map(e => ({
            tag: e.tagName, attrs: Array.from(e.attributes).map(a => a.name + '=' + a.value)}))""",
        selector,
    )
    problems = []
    for element in found:
        if element["tag"] not in MARKDOWN_TAGS:
            problems.append(f"{where}: <{element['tag']}> in a description")
        for attr in element["attrs"]:
            name, _, value = attr.partition("=")
            if element["tag"] != "A" or name not in {"href", "rel"}:
                problems.append(f"{where}: attribute {attr} on <{element['tag']}>")
            elif name == "href" and not value.startswith(("https:", "http:", "mailto:", "tel:")):
                problems.append(f"{where}: link to {value}")
            elif name == "rel" and value != "nofollow noopener":
                problems.append(f"{where}: rel={value}")
    return problems


def test_markdown_descriptions_keep_to_the_subset(live_server, hostile_catalogue, browser):
    """Each hostile description, rendered on its service page and on the structure page,
    produces only the allowed tags, and the words of the payloads are still shown."""
    _, base_url = live_server
    page = browser.new_page()
    problems: list[str] = []
    try:
        for index, service_id in enumerate(hostile_catalogue):
            page.goto(base_url + f"/services/{service_id}", wait_until="networkidle")
            problems.extend(_markdown_problems(page, "section .prose", service_id))
            assert f"mobilité {index}" in page.locator("section .prose").inner_text()
        page.goto(base_url + "/structures/xss--structure", wait_until="networkidle")
        problems.extend(_markdown_problems(page, ".prose", "structure"))
        # The raw HTML and the image were written as text, not dropped.
        text = page.locator(".prose").first.inner_text()
        assert "<script>alert('md-raw')</script>" in text and "image" in text
    finally:
        page.close()
    assert problems == []


def test_payload_text_is_shown_as_text(live_server, hostile_catalogue, browser):
    """Escaped, not dropped: the people who typed these characters see them."""
    _, base_url = live_server
    page = browser.new_page()
    try:
        page.goto(base_url + "/services/xss--service-0", wait_until="networkidle")
        assert page.locator("h1").inner_text() == f"{PAYLOADS[0]} mobilité 0"
        page.evaluate(OPEN_EVERYTHING)
        texts = page.locator(".leaflet-tooltip, .leaflet-popup-content").all_inner_texts()
        assert any(PAYLOADS[0] in text for text in texts), texts
    finally:
        page.close()
