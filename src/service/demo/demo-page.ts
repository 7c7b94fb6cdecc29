/** The demo page of sandbox mode. Profile and order text is only ever set through textContent. */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nest-wechat-h5 demo (sandbox)</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  .banner { background: #fff3cd; border: 1px solid #e0c36a; padding: .5rem .75rem; border-radius: 4px; }
  pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; border-radius: 4px; }
  a.button, button { display: inline-block; background: #07c160; color: #fff; border: 0; padding: .6rem 1rem;
    border-radius: 4px; text-decoration: none; font-size: 1rem; cursor: pointer; }
  button.secondary, a.button.secondary { background: #888; }
</style>
</head>
<body>
<p class="banner">Sandbox mode: WeChat is simulated by this service. No real Official Account is involved.</p>
<h1>nest-wechat-h5 demo</h1>
<h2>wx.config for this page</h2>
<p>JS-SDK (the sandbox's stand-in for jweixin-1.6.0.js): <strong id="jssdk">configuring…</strong></p>
<pre id="config">signing…</pre>
<p><button class="secondary" id="break">Try a wrong signature</button></p>
<ul id="diagnosis" hidden></ul>
<h2>WeChat login</h2>
<div id="anonymous" hidden>
  <p>Not logged in.</p>
  <a class="button" id="login" href="/wechat/oauth/login?returnTo=%2F">Log in with WeChat (sandbox)</a>
  <h3>On a computer</h3>
  <p><button id="handoff">Log in on this computer</button>
    <a class="button secondary" id="qr-login" href="/wechat/oauth/qr-login?returnTo=%2F">Website QR login (sandbox)</a></p>
  <div id="handoff-box" hidden>
    <p>Scan with WeChat on your phone, or <a id="phone-link" target="_blank" rel="noopener">open the phone side in a new tab</a>.</p>
    <img id="handoff-qr" alt="QR code of the phone's confirm page" width="200" height="200">
    <p>State: <strong id="handoff-state">pending</strong></p>
  </div>
</div>
<div id="logged-in" hidden>
  <p>Logged in as <strong id="nickname"></strong> (<code id="openid"></code>)</p>
  <pre id="me"></pre>
  <h2>WeChat Pay (sandbox)</h2>
  <p><button id="pay">Pay ¥0.01 (sandbox)</button></p>
  <p>Order: <strong id="pay-state" data-status="none">none yet</strong></p>
  <button class="secondary" id="logout">Log out</button>
</div>
<p id="error" hidden></p>
<script src="/sandbox/jweixin.js"></script>
<script type="module" src="/demo.js"></script>
</body>
</html>
`;

export const DEMO_SCRIPT = `import { configureWechat, payWithWechat } from '/wechat/jssdk/client.js';
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var pageUrl = location.href.split('#')[0];
  var jsApiList = ['updateAppMessageShareData', 'chooseImage', 'chooseWXPay'];
  function sign(url) {
    return fetch('/wechat/jssdk/config', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ url: url, jsApiList: jsApiList })
    }).then(function (r) { return r.json(); });
  }
  function showDiagnosis(findings) {
    var list = $('diagnosis');
    list.textContent = '';
    findings.forEach(function (f) {
      var item = document.createElement('li');
      item.textContent = f.code + ': ' + f.message;
      list.appendChild(item);
    });
    list.hidden = false;
  }

  sign(pageUrl)
    .then(function (config) { $('config').textContent = 'wx.config(' + JSON.stringify(config, null, 2) + ')'; })
    .catch(function (e) { $('config').textContent = 'signing failed: ' + e; });

  // the browser helper: the url WeChat checks, wx.config, wx.ready or the service's diagnosis
  configureWechat({ jsApiList: jsApiList })
    .then(function () { $('jssdk').textContent = 'wx.ready: configured'; })
    .catch(function (e) {
      $('jssdk').textContent = 'wx.error: ' + e.errMsg;
      if (e.diagnosis) showDiagnosis(e.diagnosis.findings);
    });

  // what a page that signs another url than its own sees, and what /diagnose says about it
  $('break').addEventListener('click', function () {
    var wrongUrl = pageUrl + (pageUrl.indexOf('?') < 0 ? '?' : '&') + 'signed=elsewhere';
    sign(wrongUrl).then(function (config) {
      wx.config(config);
      wx.error(function (res) {
        $('jssdk').textContent = 'wx.error: ' + res.errMsg;
        fetch('/wechat/jssdk/diagnose', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(Object.assign({}, config, { url: location.href, signedUrl: wrongUrl, userAgent: navigator.userAgent }))
        }).then(function (r) { return r.json(); }).then(function (d) { showDiagnosis(d.findings); });
      });
    });
  });

  function showUser() {
    return fetch('/wechat/oauth/me', { headers: { accept: 'application/json' } })
      .then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (user) {
        if (!user) { $('anonymous').hidden = false; return; }
        $('anonymous').hidden = true;
        $('nickname').textContent = user.nickname || '(no nickname: snsapi_base)';
        $('openid').textContent = user.openid;
        $('me').textContent = JSON.stringify(user, null, 2);
        $('logged-in').hidden = false;
      });
  }
  showUser();

  // logging in on a computer through a phone: the QR of the phone's page, its state by Server-Sent Events,
  // then the redeem into this browser's session, without a reload
  $('handoff').addEventListener('click', function () {
    $('handoff').disabled = true;
    fetch('/wechat/oauth/handoff', { method: 'POST', headers: { accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (handoff) {
        $('handoff-qr').src = '/demo/handoff-qr.svg?ticket=' + encodeURIComponent(handoff.ticket);
        $('phone-link').href = handoff.qrUrl;
        $('handoff-box').hidden = false;
        var events = new EventSource('/wechat/oauth/handoff/' + handoff.ticket + '/events');
        ['pending', 'scanned', 'refused', 'expired'].forEach(function (state) {
          events.addEventListener(state, function () {
            $('handoff-state').textContent = state;
            if (state === 'refused' || state === 'expired') { events.close(); $('handoff').disabled = false; }
          });
        });
        events.addEventListener('confirmed', function () {
          events.close();
          $('handoff-state').textContent = 'confirmed';
          fetch('/wechat/oauth/handoff/' + handoff.ticket + '/redeem', { method: 'POST' }).then(showUser);
        });
      });
  });

  if (new URLSearchParams(location.search).get('wechat_error')) {
    $('error').textContent = 'Login was refused.';
    $('error').hidden = false;
  }

  function showPay(status, text, outTradeNo) {
    $('pay-state').dataset.status = status;
    if (outTradeNo) $('pay-state').dataset.outTradeNo = outTradeNo;
    $('pay-state').textContent = text;
  }
  // one fen through the service's order route, the simulated pay sheet, then the state the service confirmed
  $('pay').addEventListener('click', function () {
    $('pay').disabled = true;
    showPay('ordering', 'ordering…');
    fetch('/wechat/pay/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ description: 'nest-wechat-h5 demo order (sandbox)', amount: 1 })
    })
      .then(function (r) { return r.json().then(function (body) { if (!r.ok) throw new Error(body.code || r.status); return body; }); })
      .then(function (order) {
        showPay('paying', 'paying…', order.outTradeNo);
        return payWithWechat(order).then(function (result) {
          var detail = result.state ? ': ' + result.state : result.errMsg ? ': ' + result.errMsg : '';
          showPay(result.status, result.status + detail + ' (' + order.outTradeNo + ')');
        });
      })
      .catch(function (e) { showPay('error', 'order failed: ' + e.message); })
      .then(function () { $('pay').disabled = false; });
  });

  $('logout').addEventListener('click', function () {
    fetch('/wechat/oauth/logout', { method: 'POST' }).then(function () { location.href = '/'; });
  });
})();
`;
