"""The whole way of a bulletin through the console, as its people click it."""
import json
import re
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import event_id_in
from test_accessibility import wcag_violations


def subscribe_bochum_webhook(console, receiver):
    """Jens Koch (Stadt Bochum) subscribes his Lagedienst's system to Bochum by webhook."""
    console.sign_in("jens.koch")
    console.wait().until(lambda d: "Übersicht" in console.heading())
    console.open("/abonnements/neu")
    # First without a name and with a target that is no URL: the API's rules, in German, next to the fields.
    Select(console.field("Kanal")).select_by_visible_text("Webhook")
    console.field("Ziel").send_keys("kein-url")
    console.click("Anlegen")
    assert console.heading() == "Neues Abonnement"
    assert "ist erforderlich" in console.driver.find_element(By.ID, "name-error").text
    assert console.field("Name").get_attribute("aria-invalid") == "true"
    assert console.driver.find_element(By.ID, "target-error").text
    assert "mindestens ein Gebiet" in console.driver.find_element(By.ID, "areas-error").text
    console.screenshot("abonnement-fehler")
    console.field("Ziel").clear()
    console.field("Name").send_keys("Lagedienst Bochum")
    console.field("Bochum").click()
    Select(console.field("Kanal")).select_by_visible_text("Webhook")
    console.field("Ziel").send_keys(receiver.url)
    console.click("Anlegen")
    console.wait().until(lambda d: "Lagedienst Bochum" in console.heading())
    assert "Signaturgeheimnis" in console.text()
    # A test message reaches the receiver, marked as a test, and its page follows it.
    console.click("Testnachricht senden")
    assert "Die Testnachricht ist unterwegs." in console.text()
    receiver.wait_for(lambda b: b.get("event", {}).get("test") is True)
    console.sign_out()


def test_bulletin_from_draft_to_delivered(console, receiver, gateway):
    subscribe_bochum_webhook(console, receiver)

    # Erika writes the bulletin, looks at who would get it, and submits it.
    console.sign_in("erika.mustermann")
    console.open("/bulletins/neu")
    assert console.heading() == "Bulletin schreiben"
    console.field("Titel").send_keys("Großkontrolle an der Herner Straße")
    console.field("Text").send_keys("Ab 22 Uhr gemeinsame Kontrolle von Polizei, Zoll und Ordnungsamt. Bitte Kräfte bereithalten.")
    Select(console.field("Thema")).select_by_value("razzia")
    Select(console.field("Dringlichkeit")).select_by_value("high")
    console.field("Bochum").click()
    Select(console.field("Einstufung")).select_by_value("public")
    console.click("Vorschau")
    console.wait().until(EC.presence_of_element_located((By.ID, "vorschau")))
    preview = console.driver.find_element(By.ID, "vorschau").text
    assert "Stadt Bochum" in preview and "Webhook" in preview
    assert "Großkontrolle an der Herner Straße" in preview  # the email's subject
    console.screenshot("bulletin-vorschau")
    # The form kept what was typed.
    assert console.field("Titel").get_attribute("value") == "Großkontrolle an der Herner Straße"
    console.click("Zur Freigabe einreichen")
    console.wait().until(lambda d: "/bulletins/blt_" in d.current_url)
    bulletin_url = console.driver.current_url
    bulletin_id = re.search(r"/bulletins/(blt_[0-9a-z]+)", bulletin_url).group(1)
    assert "Das Bulletin ist zur Freigabe eingereicht." in console.text()

    # The same person may not approve it: the button is not offered, and forcing it is refused.
    console.open("/freigaben")
    card = console.driver.find_element(By.ID, bulletin_id)
    assert not card.find_elements(By.XPATH, ".//button[normalize-space()='Freigeben']")
    assert "andere Person" in card.text
    token = console.driver.find_element(By.NAME, "_csrf").get_attribute("value")
    session = console.cookie("SIKO_SESSION")["value"]
    request = urllib.request.Request(
        gateway.base + f"/freigaben/{bulletin_id}/freigeben", data=f"_csrf={token}&version=1".encode(), method="POST",
        headers={"Cookie": f"SIKO_SESSION={session}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        urllib.request.urlopen(request)
        raise AssertionError("the author approved their own bulletin")
    except urllib.error.HTTPError as refusal:
        assert refusal.code == 403
        assert "Vier-Augen" in refusal.read().decode()
    console.sign_out()

    # Max approves it; it is published and sent.
    console.sign_in("max.bauer")
    console.open("/freigaben")
    card = console.driver.find_element(By.ID, bulletin_id)
    assert "Erika Mustermann" in card.text
    assert "Stadt Bochum" in card.text  # the audience as it is now
    console.screenshot("freigaben")
    console.press(card.find_element(By.XPATH, ".//button[normalize-space()='Freigeben']"))
    console.wait().until(lambda d: event_id_in(d.current_url) is not None)
    event_id = event_id_in(console.driver.current_url)

    body = receiver.wait_for(lambda b: b.get("id") == event_id or b.get("event", {}).get("id") == event_id)
    assert "Großkontrolle" in json.dumps(body, ensure_ascii=False)

    # The board on the event page reaches "zugestellt" without a reload.
    console.driver.execute_script("window.sikoNoReload = true;")
    cell = 'tr[data-row="stadt-bochum/webhook"] td[data-status="delivered"]'
    console.wait(30).until(lambda d: d.find_element(By.CSS_SELECTOR, cell).text == "1")
    assert console.driver.execute_script("return window.sikoNoReload === true;")
    assert "zugestellt" in console.text()
    console.screenshot("meldung")
    console.sign_out()

    # Erika corrects the published bulletin (Berichtigen): the form comes prefilled; four eyes again.
    console.sign_in("erika.mustermann")
    console.open(f"/bulletins/{bulletin_id}")
    console.press(console.driver.find_element(By.LINK_TEXT, "Berichtigen"))
    assert console.heading() == "Bulletin berichtigen"
    assert console.field("Titel").get_attribute("value") == "Großkontrolle an der Herner Straße"
    console.field("Text").clear()
    console.field("Text").send_keys("Verlegt: ab 23 Uhr an der Dorstener Straße.")
    console.click("Zur Freigabe einreichen")
    console.wait().until(lambda d: "/bulletins/blt_" in d.current_url and bulletin_id not in d.current_url)
    correction_id = re.search(r"/bulletins/(blt_[0-9a-z]+)", console.driver.current_url).group(1)
    assert "Berichtigung von" in console.text()
    console.sign_out()
    console.sign_in("max.bauer")
    console.open("/freigaben")
    card = console.driver.find_element(By.ID, correction_id)
    assert "Empfänger des veröffentlichten Bulletins" in card.text
    console.press(card.find_element(By.XPATH, ".//button[normalize-space()='Freigeben']"))
    console.wait().until(lambda d: event_id_in(d.current_url) not in (None, event_id))
    update_id = event_id_in(console.driver.current_url)
    update = receiver.wait_for(lambda b: b.get("event", {}).get("id") == update_id)
    assert update["event"]["messageType"] == "update" and update["event"]["references"] == [event_id]
    assert "AKTUALISIERUNG" in console.text() and "Aktualisierung" in console.text()
    console.sign_out()

    # Then she cancels it (Aufheben), first without a reason: the German message stands by the field.
    console.sign_in("erika.mustermann")
    console.open(f"/bulletins/{bulletin_id}")
    console.click("Aufheben")
    assert "ist erforderlich" in console.driver.find_element(By.ID, "reason-error").text
    assert console.field("Grund der Aufhebung").get_attribute("aria-invalid") == "true"
    assert wcag_violations(console.driver) == [], "the bulletin page with its cancel form, in the error state"
    console.screenshot("bulletin-aufheben-fehler")
    console.field("Grund der Aufhebung").send_keys("Kontrolle abgesagt.")
    console.click("Aufheben")
    console.wait().until(lambda d: "eingereicht" in d.current_url)
    cancel_id = re.search(r"/bulletins/(blt_[0-9a-z]+)", console.driver.current_url).group(1)
    assert "Aufhebung von" in console.text()
    console.sign_out()
    console.sign_in("max.bauer")
    console.open("/freigaben")
    card = console.driver.find_element(By.ID, cancel_id)
    console.press(card.find_element(By.XPATH, ".//button[normalize-space()='Freigeben']"))
    console.wait().until(lambda d: event_id_in(d.current_url) not in (None, event_id, update_id))
    cancelled = receiver.wait_for(lambda b: b.get("event", {}).get("messageType") == "cancel")
    assert cancelled["event"]["body"] == "Kontrolle abgesagt." and cancelled["event"]["references"] == [event_id]
    console.open(f"/meldungen/{event_id}")
    chain = console.driver.find_element(By.ID, "h-chain").find_element(By.XPATH, "..").text
    assert "Ursprüngliche Meldung" in chain and "Aktualisierung" in chain and "Aufhebung" in chain
    console.screenshot("meldung-kette")
    assert wcag_violations(console.driver) == [], "the event page with its chain"


def test_viewer_cannot_see_another_partners_event(console, gateway, receiver):
    # An event of Stadt Bochum's own, not delivered to Essen.
    key = gateway.cli("keys", "create", "--partner", "stadt-bochum", "--scope", "events:publish").strip().splitlines()[-1].strip()
    request = urllib.request.Request(
        gateway.base + "/v1/events", method="POST",
        data=json.dumps({"topic": "razzia", "urgency": "low", "areas": ["bochum"], "title": "Interne Lage Bochum"}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    event_id = json.loads(urllib.request.urlopen(request).read())["id"]

    console.sign_in("lena.wolf")
    console.open("/meldungen")
    assert "Interne Lage Bochum" not in console.text()
    console.open(f"/meldungen/{event_id}")
    assert "Interne Lage Bochum" not in console.text()
    assert "nicht sichtbar" in console.text() or "gibt es nicht" in console.text()
