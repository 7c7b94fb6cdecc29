/**
 * The pay part of the JS-SDK simulator, spliced into JWEIXIN_SCRIPT's closure (it uses its `post`, `finish`,
 * `state`, `ios` and `entryUrl`). `wx.chooseWXPay` and the `WeixinJSBridge` it installs ask the sandbox's pay
 * sheet route to check the page's parameters, then show a small pay sheet labelled as the simulator: Pay pays the
 * order (the notification goes out), Cancel does not. The sheet is built from DOM nodes with CSSOM styles only, so
 * it runs under a page's strict CSP; it never shows the paySign.
 */
export const JWEIXIN_PAY_PART = `
  var paying = false;
  // pay directories are checked against the url WeChat checks, as wx.config's signature is
  function payPageUrl() { return (ios ? entryUrl : location.href).split('#')[0]; }
  function node(tag, text, css) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    e.style.cssText = css || '';
    return e;
  }
  function sheetButton(label, css, onClick) {
    var b = node('button', label, 'display:block;width:100%;margin-top:10px;padding:11px 0;border:0;border-radius:6px;font-size:16px;cursor:pointer;' + css);
    b.type = 'button';
    b.addEventListener('click', onClick);
    return b;
  }
  // while the modal sheet is open the rest of the page is hidden from assistive technology
  function hideRest(overlay) {
    var hidden = [];
    Array.prototype.forEach.call(document.body.children, function (child) {
      if (child === overlay || child.getAttribute('aria-hidden') === 'true') return;
      child.setAttribute('aria-hidden', 'true');
      hidden.push(child);
    });
    return function () { hidden.forEach(function (child) { child.removeAttribute('aria-hidden'); }); };
  }
  function showSheet(info, done) {
    var overlay = node('div', '', 'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:flex-end;justify-content:center;background:rgba(0,0,0,.5);font:15px system-ui,sans-serif');
    var sheet = node('div', '', 'box-sizing:border-box;width:100%;max-width:420px;padding:16px 20px 24px;border-radius:12px 12px 0 0;background:#fff;color:#191919;text-align:center');
    sheet.setAttribute('role', 'dialog');
    sheet.setAttribute('aria-modal', 'true');
    sheet.setAttribute('aria-label', 'WeChat Pay (simulator)');
    sheet.setAttribute('data-wx-simulator', 'pay-sheet');
    sheet.appendChild(node('p', 'WeChat Pay simulator \\u2014 not WeChat, no real money', 'margin:0 0 12px;color:#b35c00;font-size:13px'));
    sheet.appendChild(node('p', info.description, 'margin:0;color:#555'));
    sheet.appendChild(node('p', '\\u00a5' + (info.amount / 100).toFixed(2), 'margin:8px 0;font-size:34px;font-weight:600'));
    if (info.payer) sheet.appendChild(node('p', 'Paying as ' + info.payer.nickname + ' (' + info.payer.key + ')', 'margin:0 0 8px;color:#888;font-size:13px'));
    var restore = hideRest(overlay);
    function close(kind, reason) { overlay.remove(); restore(); done(kind, reason); }
    function act(path, after) {
      pay.disabled = cancel.disabled = true;
      post('/__sandbox/pay/sheet/' + encodeURIComponent(info.sheet) + path, {}).then(after, function () { after({ ok: false, reason: 'network error' }); });
    }
    var pay = sheetButton('Pay', 'background:#07c160;color:#fff', function () {
      act('/pay', function (r) { if (r.ok) close('ok'); else close('fail', r.reason); });
    });
    var cancel = sheetButton('Cancel', 'background:#f2f2f2;color:#191919', function () {
      act('/cancel', function () { close('cancel'); });
    });
    sheet.appendChild(pay);
    sheet.appendChild(cancel);
    overlay.appendChild(sheet);
    document.body.appendChild(overlay);
    pay.focus();
  }
  // done(kind, reason): kind is ok, cancel or fail; one payment at a time, as in WeChat
  function requestPayment(p, done) {
    if (paying) return done('fail', 'a payment is already in progress');
    paying = true;
    var end = function (kind, reason) { paying = false; done(kind, reason); };
    post('/__sandbox/pay/sheet', { appId: p.appId, timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType: p.signType, paySign: p.paySign, url: payPageUrl() }).then(
      function (r) { if (r.ok) showSheet(r, end); else end('fail', r.reason); },
      function () { end('fail', 'network error'); }
    );
  }
  function chooseWXPay(o) {
    o = o || {};
    if (!state.configured || state.jsApiList.indexOf('chooseWXPay') < 0) return finish(o, { errMsg: 'chooseWXPay:permission denied' }, false);
    // like jweixin: the appId of wx.config, and timestamp handed on as timeStamp (a string)
    var p = { appId: state.appId, timeStamp: String(o.timestamp), nonceStr: o.nonceStr, package: o.package, signType: o.signType, paySign: o.paySign };
    requestPayment(p, function (kind, reason) {
      if (kind !== 'cancel') return finish(o, { errMsg: 'chooseWXPay:' + kind + (reason ? ' ' + reason : '') }, kind === 'ok');
      var res = { errMsg: 'chooseWXPay:cancel' };
      if (o.cancel) o.cancel(res);
      if (o.complete) o.complete(res);
    });
  }
  var bridge = {
    __simulator: true,
    invoke: function (name, params, callback) {
      var cb = typeof callback === 'function' ? callback : function () {};
      if (name !== 'getBrandWCPayRequest') return setTimeout(function () { cb({ err_msg: name + ':fail not simulated' }); }, 0);
      requestPayment(params || {}, function (kind, reason) {
        var res = { err_msg: 'get_brand_wcpay_request:' + kind };
        if (reason) res.err_desc = reason;
        cb(res);
      });
    },
    on: function () {}
  };
  // WeChat injects its bridge after the page's first scripts ran, then fires WeixinJSBridgeReady on the document
  setTimeout(function () {
    window.WeixinJSBridge = bridge;
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
  }, 0);
`;
