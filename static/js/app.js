/* Generic behaviours of the application. No inline JavaScript anywhere (CSP script-src 'self'):
   templates opt in with data-* attributes.

   - htmx sends the CSRF token (meta name="csrf-token") in the X-CSRFToken header.
   - data-confirm="Question ?" on a form, button or link asks for confirmation first.
   - form[data-brouillon="<key>"] keeps a draft of its fields (text, lists, checkboxes, radio
     buttons; never hidden fields or passwords) in localStorage while the user types, restores it
     when the page shows the form empty again (expired session, CSRF failure), and forgets it once
     the submission succeeded. Drafts are the signed-in user's (data-utilisateur on <body>): a page
     of another user drops them, and logging out (form[data-deconnexion]) drops every draft. A ticked
     box with data-brouillon-exclut="<names>" (a confidential note) keeps those fields out of it.
   - A form with unsaved changes shows « Modifications non enregistrées » and the browser warns
     before leaving the page (opt out: data-sans-avertissement; GET forms are never concerned).
   - Double-submit protection: submit buttons are disabled after the first submit, and enabled
     again on htmx:afterRequest and when the page comes back from the back/forward cache.
   - A failed htmx request (4xx/5xx, network) shows a French message (role="alert") in the form that
     sent it, or at the top of the page for a request without a form; the next success removes it.
   - form[data-message-envoi="<text>"]: on submit, the text goes into its [data-statut-envoi] element
     (role="status"), for an answer that takes seconds.
   - [data-si-type="<kind>"]: a field shown only while its form's « type » is that kind.
   - input[type=datetime-local][data-maintenant] (and the entretien form's « Date et heure »): a
     default « now » the user did not touch is set to the current time when the form is sent.
*/
(function () {
  "use strict";

  var PREFIXE_BROUILLON = "brouillon:";
  var CLE_ENVOIS = "brouillons-envoyes";
  var DUREE_BROUILLON_MS = 7 * 24 * 60 * 60 * 1000; // a forgotten draft is dropped after a week
  var CHAMPS_TEXTE = "textarea, input:not([type]), input[type=text], input[type=email], input[type=tel], " +
    "input[type=number], input[type=date], input[type=time], input[type=datetime-local], input[type=url], " +
    "input[type=search]";
  var CHAMPS_CHOIX = "select, input[type=checkbox], input[type=radio]";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function estHtmx(element) {
    return !!(element && element.closest(
      "[hx-post],[hx-put],[hx-patch],[hx-delete],[hx-get],[data-hx-post],[data-hx-put],[data-hx-patch],[data-hx-delete],[data-hx-get]"
    ));
  }

  // ---- Storage that never throws (private mode, quota, storage disabled) -------------------
  function lire(stockage, cle) {
    try {
      var valeur = stockage.getItem(cle);
      return valeur ? JSON.parse(valeur) : null;
    } catch (e) {
      return null;
    }
  }
  function ecrire(stockage, cle, valeur) {
    try {
      stockage.setItem(cle, JSON.stringify(valeur));
    } catch (e) { /* storage unavailable: the feature degrades silently */ }
  }
  function effacer(stockage, cle) {
    try {
      stockage.removeItem(cle);
    } catch (e) { /* idem */ }
  }

  // ---- htmx: CSRF header --------------------------------------------------------------------
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // ---- Drafts (data-brouillon) ------------------------------------------------------------
  function cleBrouillon(form) {
    var utilisateur = document.body.getAttribute("data-utilisateur") || "anonyme";
    return PREFIXE_BROUILLON + utilisateur + ":" + form.getAttribute("data-brouillon");
  }

  function champs(form, selecteur) {
    return Array.prototype.filter.call(form.querySelectorAll(selecteur), function (champ) {
      return champ.name && !champ.disabled && !champ.readOnly;
    });
  }

  /* A choice (list, checkbox, radio button) is kept as what is selected or ticked, one entry per name:
     the values chosen in a list or a group of checkboxes, the value of the radio button ticked. */
  function choixCourants(form) {
    var choix = {};
    champs(form, CHAMPS_CHOIX).forEach(function (champ) {
      var valeurs = choix[champ.name] || (choix[champ.name] = []);
      if (champ.tagName === "SELECT") {
        Array.prototype.forEach.call(champ.options, function (option) {
          if (option.selected) {
            valeurs.push(option.value);
          }
        });
      } else if (champ.checked) {
        valeurs.push(champ.value);
      }
    });
    return choix;
  }

  // Whether a choice is still as the server rendered it (the user has not touched it on this page).
  function choixParDefaut(champ) {
    if (champ.tagName === "SELECT") {
      return Array.prototype.every.call(champ.options, function (option, i) {
        // A list without any option marked selected shows its first one (or none if multiple).
        var parDefaut = option.defaultSelected ||
          (!champ.multiple && i === 0 && !Array.prototype.some.call(champ.options, function (o) { return o.defaultSelected; }));
        return option.selected === parDefaut;
      });
    }
    return champ.checked === champ.defaultChecked;
  }

  function appliquerChoix(champ, valeurs) {
    if (champ.tagName === "SELECT") {
      Array.prototype.forEach.call(champ.options, function (option) {
        option.selected = valeurs.indexOf(option.value) !== -1;
      });
    } else {
      champ.checked = valeurs.indexOf(champ.value) !== -1;
    }
  }

  function remettreParDefaut(champ) {
    if (champ.tagName === "SELECT") {
      Array.prototype.forEach.call(champ.options, function (option) {
        option.selected = option.defaultSelected;
      });
    } else if (champ.type === "checkbox" || champ.type === "radio") {
      champ.checked = champ.defaultChecked;
    } else {
      champ.value = "";
    }
  }

  // Names of the fields a ticked box keeps out of the draft (data-brouillon-exclut="notes").
  function exclus(form) {
    var noms = [];
    form.querySelectorAll("input[data-brouillon-exclut]").forEach(function (caseACocher) {
      if (caseACocher.checked) {
        noms = noms.concat(caseACocher.getAttribute("data-brouillon-exclut").split(/\s+/));
      }
    });
    return noms;
  }

  function sauverBrouillon(form) {
    var valeurs = {};
    var rempli = false;
    var horsBrouillon = exclus(form);
    champs(form, CHAMPS_TEXTE).forEach(function (champ) {
      if (horsBrouillon.indexOf(champ.name) !== -1) {
        return;
      }
      valeurs[champ.name] = champ.value;
      if (champ.value !== "") {
        rempli = true;
      }
    });
    if (champs(form, CHAMPS_CHOIX).some(function (champ) { return !choixParDefaut(champ); })) {
      rempli = true;
    }
    if (rempli) {
      ecrire(localStorage, cleBrouillon(form), { enregistre: Date.now(), valeurs: valeurs, choix: choixCourants(form) });
    } else {
      effacer(localStorage, cleBrouillon(form));
    }
  }

  function aDesErreurs(form) {
    return !!form.querySelector('[data-erreurs-formulaire], .is-invalid, [aria-invalid="true"], .errorlist');
  }

  function envoisEnAttente() {
    return lire(sessionStorage, CLE_ENVOIS) || [];
  }

  function noterEnvoi(form) {
    var envois = envoisEnAttente();
    var cle = cleBrouillon(form);
    if (envois.indexOf(cle) === -1) {
      envois.push(cle);
    }
    ecrire(sessionStorage, CLE_ENVOIS, envois);
  }

  /* A draft whose form was sent is forgotten when the next page shows the submission succeeded:
     another page, or the same form shown again without errors. It is kept when the next page is
     the form with errors, or a page marked data-conserver-brouillons (login after an expired
     session, CSRF failure, server error): there the user will come back and send it again. */
  function traiterEnvois() {
    var envois = envoisEnAttente();
    if (!envois.length) {
      return;
    }
    effacer(sessionStorage, CLE_ENVOIS);
    if (document.body.hasAttribute("data-conserver-brouillons")) {
      return;
    }
    var formulaires = {};
    document.querySelectorAll("form[data-brouillon]").forEach(function (form) {
      formulaires[cleBrouillon(form)] = form;
    });
    envois.forEach(function (cle) {
      var form = formulaires[cle];
      if (!form || !aDesErreurs(form)) {
        effacer(localStorage, cle);
      }
    });
  }

  function oublierBrouillonsPerimes() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var cle = localStorage.key(i);
        if (cle && cle.indexOf(PREFIXE_BROUILLON) === 0) {
          var brouillon = lire(localStorage, cle);
          if (!brouillon || Date.now() - brouillon.enregistre > DUREE_BROUILLON_MS) {
            localStorage.removeItem(cle);
          }
        }
      }
    } catch (e) { /* storage unavailable */ }
  }

  /* Drafts whose key matches `garder` stay; every other one goes. */
  function oublierBrouillons(garder) {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var cle = localStorage.key(i);
        if (cle && cle.indexOf(PREFIXE_BROUILLON) === 0 && !garder(cle)) {
          localStorage.removeItem(cle);
        }
      }
    } catch (e) { /* storage unavailable */ }
  }

  // Logging out: the next person at this computer finds no draft at all.
  function oublierTousLesBrouillons() {
    oublierBrouillons(function () { return false; });
  }

  /* Another user signed in on this browser: the drafts of whoever used it before are not theirs to
     read. The login page itself keeps them (no user yet): the same user, back after an expired
     session, finds the draft again. */
  function oublierBrouillonsDesAutres() {
    var utilisateur = document.body.getAttribute("data-utilisateur");
    if (utilisateur) {
      var prefixe = PREFIXE_BROUILLON + utilisateur + ":";
      oublierBrouillons(function (cle) { return cle.indexOf(prefixe) === 0; });
    }
  }

  function restaurerBrouillon(form) {
    var brouillon = lire(localStorage, cleBrouillon(form));
    if (!brouillon || !brouillon.valeurs) {
      return;
    }
    var restaures = [];
    champs(form, CHAMPS_TEXTE).forEach(function (champ) {
      var valeur = brouillon.valeurs[champ.name];
      // Only fill a field the server rendered empty: never overwrite what the server sent.
      if (valeur && champ.value === "") {
        champ.value = valeur;
        restaures.push(champ);
      }
    });
    // A choice is restored where it is still as the server rendered it (a list keeps its default
    // option, a box its default state); one the user already changed on this page is left alone.
    var choix = brouillon.choix || {};
    champs(form, CHAMPS_CHOIX).forEach(function (champ) {
      var valeurs = choix[champ.name];
      if (!valeurs || !choixParDefaut(champ)) {
        return;
      }
      var avant = champ.tagName === "SELECT" ? null : champ.checked;
      appliquerChoix(champ, valeurs);
      if (champ.tagName === "SELECT" ? !choixParDefaut(champ) : champ.checked !== avant) {
        restaures.push(champ);
      }
    });
    if (!restaures.length) {
      return;
    }
    var avis = document.createElement("div");
    avis.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
    avis.setAttribute("role", "status");
    var texte = document.createElement("span");
    texte.textContent = "Ce que vous aviez saisi et pas encore envoyé a été restauré depuis ce navigateur.";
    var bouton = document.createElement("button");
    bouton.type = "button";
    bouton.className = "btn btn-sm btn-outline-primary ms-auto";
    bouton.textContent = "Effacer ce brouillon";
    bouton.addEventListener("click", function () {
      restaures.forEach(remettreParDefaut);
      effacer(localStorage, cleBrouillon(form));
      marquerPropre(form);
      avis.remove();
    });
    avis.appendChild(texte);
    avis.appendChild(bouton);
    form.insertBefore(avis, form.firstChild);
    marquerModifie(form);
  }

  // ---- Unsaved changes -------------------------------------------------------------------
  function estSurveille(form) {
    return form && form.matches("form") && (form.getAttribute("method") || "get").toLowerCase() === "post" &&
      !form.hasAttribute("data-sans-avertissement");
  }

  function marquerModifie(form) {
    if (!estSurveille(form) || form.hasAttribute("data-modifie")) {
      return;
    }
    form.setAttribute("data-modifie", "");
    var indicateur = document.createElement("p");
    indicateur.className = "indicateur-non-enregistre mt-2 mb-0";
    indicateur.setAttribute("data-indicateur-non-enregistre", "");
    indicateur.textContent = "Modifications non enregistrées";
    form.appendChild(indicateur);
  }

  function marquerPropre(form) {
    form.removeAttribute("data-modifie");
    form.querySelectorAll("[data-indicateur-non-enregistre]").forEach(function (element) {
      element.remove();
    });
  }

  function surSaisie(event) {
    var form = event.target.form;
    if (!form) {
      return;
    }
    marquerModifie(form);
    if (form.hasAttribute("data-brouillon")) {
      sauverBrouillon(form);
    }
  }
  document.addEventListener("input", surSaisie);
  document.addEventListener("change", surSaisie);

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-modifie]:not([data-envoi-en-cours])")) {
      event.preventDefault();
      event.returnValue = "Modifications non enregistrées"; // browsers show their own wording
    }
  });

  // ---- Confirmation (data-confirm) ------------------------------------------------------------
  // Capture phase: runs before htmx's and Bootstrap's own listeners, so a refusal stops everything.
  document.addEventListener("click", function (event) {
    var element = event.target.closest("button[data-confirm], a[data-confirm], input[type=submit][data-confirm]");
    if (element && !window.confirm(element.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // ---- Submit: confirmation of the form, double-submit protection, draft bookkeeping ---------
  function boutonsEnvoi(form) {
    var boutons = Array.prototype.slice.call(form.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]'));
    if (form.id) {
      boutons = boutons.concat(Array.prototype.slice.call(
        document.querySelectorAll('[form="' + form.id + '"][type=submit], button[form="' + form.id + '"]:not([type])')
      ));
    }
    return boutons;
  }

  function liberer(form) {
    if (!form) {
      return;
    }
    form.removeAttribute("data-envoi-en-cours");
    boutonsEnvoi(form).forEach(function (bouton) {
      if (bouton.hasAttribute("data-desactive-par-envoi")) {
        bouton.disabled = false;
        bouton.removeAttribute("data-desactive-par-envoi");
      }
    });
  }

  // ---- « Date et heure » defaulting to now (data-maintenant) ---------------------------------
  /* The server renders « now » when the page loads: a call logged at 14:00 on a dossier opened at
     9:00 would be dated 9:00. A value the user has not edited is set to the current time on submit
     (accompagnement.forms.MaintenantInput renders these fields). */
  var CHAMPS_MAINTENANT = "input[type=datetime-local][data-maintenant]";
  // Per form: whether the date it last sent was automatic. An htmx swap after a validation error
  // brings a new field back; without this it could not tell the user's own date from ours.
  var datesAutomatiques = {};

  function cleDeFormulaire(form) {
    return form.id || form.getAttribute("data-brouillon") || form.getAttribute("action") || "";
  }

  /* « Now » is the server's clock (data-horloge, its instant when it rendered the field) moved on by
     the time elapsed since, told in the server's time zone (data-fuseau): a browser set to another
     zone, or whose clock is off, once dated an entretien an hour off. The browser only measures the
     time elapsed. */
  var decalages = new WeakMap(); // field → the server's instant minus the browser's, when it arrived

  function noterHorloges() {
    document.querySelectorAll(CHAMPS_MAINTENANT).forEach(function (champ) {
      if (!decalages.has(champ) && champ.hasAttribute("data-horloge")) {
        decalages.set(champ, Number(champ.getAttribute("data-horloge")) - Date.now());
      }
    });
  }
  document.addEventListener("htmx:afterSettle", noterHorloges);

  function maintenantLocal(champ) {
    if (!decalages.has(champ)) {
      return champ.defaultValue; // no server instant: the server's value as rendered
    }
    var parties = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: champ.getAttribute("data-fuseau") || undefined,
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date(Date.now() + decalages.get(champ))).forEach(function (partie) {
      parties[partie.type] = partie.value;
    });
    return parties.year + "-" + parties.month + "-" + parties.day + "T" + parties.hour + ":" + parties.minute;
  }

  function surDateModifiee(event) {
    if (event.target.matches && event.target.matches(CHAMPS_MAINTENANT)) {
      event.target.setAttribute("data-maintenant-modifie", ""); // the user's date from now on
    }
  }
  document.addEventListener("input", surDateModifiee);
  document.addEventListener("change", surDateModifiee);

  function rafraichirMaintenant(form) {
    var cle = cleDeFormulaire(form);
    // A form shown again with errors holds what was sent: ours only if we said so when it was sent
    // (a full page reload forgets it, and then the date is left as the user may have typed it).
    var rendueParNous = !aDesErreurs(form) || datesAutomatiques[cle];
    form.querySelectorAll(CHAMPS_MAINTENANT).forEach(function (champ) {
      var automatique = rendueParNous && !champ.hasAttribute("data-maintenant-modifie") &&
        !champ.disabled && !champ.readOnly && champ.value === champ.defaultValue;
      if (automatique) {
        champ.value = maintenantLocal(champ);
      }
      datesAutomatiques[cle] = automatique;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (form.hasAttribute("data-envoi-en-cours")) {
      event.preventDefault(); // second click while the first submission is on its way
      event.stopPropagation();
      return;
    }
    if (form.hasAttribute("data-deconnexion")) {
      oublierTousLesBrouillons();
    }
    // Capture phase on document: before htmx (listening on the form) or the browser read the fields.
    rafraichirMaintenant(form);
    form.setAttribute("data-envoi-en-cours", "");
    // Disable after the browser (or htmx) has read the form: a disabled submitter is not sent.
    window.setTimeout(function () {
      if (event.defaultPrevented && !estHtmx(form)) {
        form.removeAttribute("data-envoi-en-cours"); // cancelled by another script
        return;
      }
      boutonsEnvoi(form).forEach(function (bouton) {
        if (!bouton.disabled) {
          bouton.disabled = true;
          bouton.setAttribute("data-desactive-par-envoi", "");
        }
      });
      if (form.hasAttribute("data-brouillon")) {
        noterEnvoi(form);
      }
      if (form.hasAttribute("data-telechargement")) {
        attendreTelechargement(form);
      }
      if (form.hasAttribute("data-message-envoi") && !estHtmx(form)) {
        // A long answer (the impact of a référentiel version): say that it is on its way.
        var statut = form.querySelector("[data-statut-envoi]");
        if (statut) {
          statut.textContent = form.getAttribute("data-message-envoi");
        }
      }
    }, 0);
  }, true);

  // ---- Direct downloads (data-telechargement) -------------------------------------------------
  /* A file answered directly leaves the page where it is: its buttons would stay disabled. The server
     sets the cookie « telechargement » to the form's jeton with the file (pilotage.views); its arrival
     frees the form. A longer export is a redirect, which leaves the page anyway. */
  function attendreTelechargement(form) {
    var jeton = (form.querySelector("input[name=jeton]") || {}).value;
    var debut = Date.now();
    var minuterie = window.setInterval(function () {
      var recu = document.cookie.split("; ").indexOf("telechargement=" + jeton) !== -1;
      if (recu || Date.now() - debut > 60000) {
        window.clearInterval(minuterie);
        document.cookie = "telechargement=; Max-Age=0; Path=/; SameSite=Strict";
        liberer(form);
      }
    }, 250);
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail.elt;
    var form = element && (element.matches("form") ? element : element.closest("form"));
    if (!form) {
      return;
    }
    liberer(form);
    var xhr = event.detail.xhr;
    var urlConnexion = document.body.getAttribute("data-url-connexion");
    var versConnexion = false;
    try {
      versConnexion = !!(xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === urlConnexion);
    } catch (e) { /* old browser without URL: keep the draft */ }
    // HX-Redirect is the server's answer to an htmx request that needs a login or the second factor
    // (accounts/middleware.py): the page is left before anything was saved.
    var redirige = !!(xhr && xhr.getResponseHeader("HX-Redirect"));
    if (!event.detail.successful || versConnexion || redirige) {
      effacer(sessionStorage, CLE_ENVOIS); // failed: keep the draft, the user will send it again
      return;
    }
    marquerPropre(form);
    // Let htmx settle the swapped content, then decide like after a full page load.
    window.setTimeout(traiterEnvois, 100);
  });

  // ---- htmx: failed requests ---------------------------------------------------------------
  /* htmx 2 swaps nothing on a 4xx/5xx or when the network fails: without a word the click seems
     ignored (a 403 after the CSRF token rotated in another tab, a 500, a lost connection). The
     message goes at the end of the form that sent the request, near its button; a request without
     a form (a part of the page reloading) gets one region at the top of the content. A response a
     beforeSwap handler chose to swap (isError false, e.g. a 422 form) raises no responseError. */
  var ECHECS_ENVOI = {
    session: "Votre session a changé : rechargez la page (votre saisie est conservée) puis enregistrez de nouveau.",
    reseau: "Connexion perdue : rien n'a été enregistré. Vérifiez le réseau et réessayez ; votre saisie est conservée.",
    serveur: "Le serveur n'a pas pu enregistrer (erreur {statut}). Votre saisie est conservée ; réessayez ou rechargez la page.",
    refus: "Enregistrement refusé : vos droits sur ce dossier ne le permettent pas (ou plus). Rechargez la page."
  };
  // A GET saves nothing: its wording must not talk about a lost input.
  var ECHECS_LECTURE = {
    session: "Votre session a changé : rechargez la page.",
    reseau: "Connexion perdue : cette partie de la page n'a pas pu être mise à jour. Vérifiez le réseau et réessayez.",
    serveur: "Le serveur n'a pas pu répondre (erreur {statut}). Réessayez ou rechargez la page.",
    refus: "Accès refusé à cette partie de la page : vos droits ne le permettent pas (ou plus). Rechargez la page."
  };
  var ID_ECHEC_GLOBAL = "echec-requete";

  function formulaireDe(element) {
    var form = element && element.closest ? element.closest("form") : null;
    return form && document.body.contains(form) ? form : null;
  }

  function afficherEchec(detail, nature) {
    var element = detail.elt;
    var verbe = ((detail.requestConfig && detail.requestConfig.verb) || "get").toLowerCase();
    var textes = verbe === "get" ? ECHECS_LECTURE : ECHECS_ENVOI;
    var statut = detail.xhr ? detail.xhr.status : 0;
    var texte = textes[nature].replace("{statut}", statut);
    var form = formulaireDe(element);
    var ancienne = form ? form.querySelector("[data-echec-requete]") : document.getElementById(ID_ECHEC_GLOBAL);
    if (ancienne && verbe === "get" && ancienne.textContent === texte) {
      ancienne.echecDe = element;
      return; // a polling part failing every second must not be announced every second
    }
    if (ancienne) {
      ancienne.remove(); // a new element, so that screen readers announce it again
    }
    var alerte = document.createElement("div");
    alerte.className = "alert alert-danger mt-3 mb-0";
    alerte.setAttribute("role", "alert");
    alerte.setAttribute("data-echec-requete", "");
    alerte.textContent = texte;
    alerte.echecDe = element;
    if (form) {
      if (form.classList.contains("row")) {
        alerte.classList.add("col-12");
      }
      form.appendChild(alerte);
    } else {
      alerte.id = ID_ECHEC_GLOBAL;
      alerte.classList.replace("mt-3", "mb-3");
      var contenu = document.querySelector("#contenu > .container-xl") || document.querySelector("main") || document.body;
      contenu.insertBefore(alerte, contenu.firstChild);
    }
  }

  // A 403 is a stale page (CSRF: accounts.views.echec_csrf says so in X-Refus) or a right the user lacks.
  function natureDeLEchec(xhr) {
    if (!xhr || xhr.status !== 403) {
      return "serveur";
    }
    return xhr.getResponseHeader("X-Refus") === "csrf" ? "session" : "refus";
  }
  document.addEventListener("htmx:responseError", function (event) {
    afficherEchec(event.detail, natureDeLEchec(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    afficherEchec(event.detail, "reseau");
  });
  document.addEventListener("htmx:timeout", function (event) {
    afficherEchec(event.detail, "reseau");
  });

  // The next success of the same form (or, for the global region, of the same element) clears it.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) {
      return;
    }
    var element = event.detail.elt;
    var form = formulaireDe(element);
    if (form) {
      form.querySelectorAll("[data-echec-requete]").forEach(function (alerte) {
        alerte.remove();
      });
    }
    var globale = document.getElementById(ID_ECHEC_GLOBAL);
    if (globale && (globale.echecDe === element || !document.body.contains(globale.echecDe))) {
      globale.remove();
    }
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-envoi-en-cours]").forEach(liberer);
    }
  });

  // ---- A long list of boxes narrowed as one types (data-filtre, data-cle) ---------------------
  /* accompagnement.forms.CasesFiltrables: each box carries the search key of its label, as the server
     computes it (residents.texte.cle_recherche); a field put above the list hides the rows lacking a
     word typed, accents and case aside. Without JavaScript the whole list stays, as before. */
  function cleRecherche(texte) {
    return texte.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  function installerFiltres() {
    document.querySelectorAll("input[data-filtre]").forEach(function (premiere) {
      var liste = premiere.closest(".form-check") && premiere.closest(".form-check").parentNode;
      if (!liste || liste.hasAttribute("data-filtree")) {
        return;
      }
      liste.setAttribute("data-filtree", "");
      var cases = liste.querySelectorAll("input[data-cle]");
      var id = "filtre-" + premiere.name;
      var bloc = document.createElement("div");
      bloc.className = "mb-2";
      var etiquette = document.createElement("label");
      etiquette.className = "form-label";
      etiquette.htmlFor = id;
      etiquette.textContent = premiere.getAttribute("data-filtre");
      var champ = document.createElement("input");
      champ.type = "search";
      champ.id = id;
      champ.className = "form-control";
      champ.setAttribute("autocomplete", "off");
      champ.setAttribute("aria-describedby", id + "-compte");
      var compte = document.createElement("p");
      compte.id = id + "-compte";
      compte.className = "form-text mb-0";
      compte.setAttribute("aria-live", "polite");
      bloc.append(etiquette, champ, compte);
      liste.parentNode.insertBefore(bloc, liste);

      function filtrer() {
        var mots = cleRecherche(champ.value).split(" ").filter(Boolean);
        var affichees = 0;
        cases.forEach(function (caseACocher) {
          var cle = caseACocher.getAttribute("data-cle");
          var garde = mots.every(function (mot) { return cle.indexOf(mot) !== -1; });
          caseACocher.closest(".form-check").hidden = !garde;
          affichees += garde ? 1 : 0;
        });
        compte.textContent = affichees + " personne" + (affichees > 1 ? "s" : "") + " affichée" +
          (affichees > 1 ? "s" : "") + " sur " + cases.length + ".";
      }
      champ.addEventListener("input", filtrer);
      champ.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault(); // Enter filters; it does not send the form half-filled
        }
      });
      filtrer();
    });
  }

  // ---- Fields of one kind of entretien only (data-si-type) ----------------------------------
  /* The outcome of a rencontre tripartite (droits et devoirs) is asked only for that kind: a field with
     data-si-type="<kind>" is shown while its form's « type » is that kind. Without JavaScript it stays
     shown, and the server ignores it for any other kind. */
  function montrerSelonType() {
    document.querySelectorAll("[data-si-type]").forEach(function (champ) {
      var type = champ.form && champ.form.querySelector("[name=type]");
      if (!type) {
        return;
      }
      var bloc = champ.closest("[id^=div_id_]") || champ;
      bloc.hidden = type.value !== champ.getAttribute("data-si-type");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "type") {
      montrerSelonType();
    }
  });
  document.addEventListener("htmx:afterSettle", montrerSelonType);

  // ---- Page load ----------------------------------------------------------------------------
  function initialiser() {
    montrerSelonType();
    noterHorloges();
    installerFiltres();
    oublierBrouillonsDesAutres();
    oublierBrouillonsPerimes();
    traiterEnvois();
    document.querySelectorAll("form[data-brouillon]").forEach(restaurerBrouillon);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialiser);
  } else {
    initialiser();
  }
})();
