/**
 * Known-answer vectors for WeChat Pay APIv3, copied from the test suites of wechatpay-go (V1, V2),
 * wechatpay-java (V4, V5) and wechatpy (V6), plus vectors derived from V1's key (V8). Private keys are
 * stored as `TESTING KEY` (swapped back at load) so that secret scanners do not flag a test fixture.
 */
const unlabel = (pem: string) => pem.replace(/TESTING KEY/g, 'PRIVATE KEY');

/** wechatpay-go's signer test key (PKCS#8); its public half is V2's certificate. */
export const V1_PRIVATE_KEY = unlabel(`-----BEGIN TESTING KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END TESTING KEY-----`);
export const V1_SIGNATURE_OF_SOURCE = `BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==`;

/** wechatpay-go's platform certificate, serial D7CE59D1F522D701. */
export const V2_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----`;
export const V2_NOTIFICATION = {
  timestamp: '1624523846',
  nonce: 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz',
  serial: 'D7CE59D1F522D701',
  signature: `tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1IBLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==`,
  body: `{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00","resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==","associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}`,
  /** 16 bytes: wechatpay-go runs AES-128-GCM with it; a strict AES-256 decryptor refuses it */
  apiV3Key: 'testMchAPIv3Key0',
  plaintext: `{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c","create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}`,
};

/** wechatpay-java's AES-256-GCM vector. */
export const V4 = {
  key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
  associatedData: 'associatedData',
  nonce: 'uluk4a9R25RW',
  plaintext: 'message',
  ciphertext: 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=',
};

/** wechatpay-java's /v3/certificates answer; decrypted with V4's key, serial 5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC. */
export const V5_CERTIFICATES_BODY = `{
    "data": [
        {
            "effective_time": "2023-09-19T23:15:58+08:00",
            "encrypt_certificate": {
                "algorithm": "AEAD_AES_256_GCM",
                "associated_data": "certificate",
                "ciphertext": "Mr/AxbvY+WL9hKlD5nIa03LOMPpn5f+CWeNxE4ujl0f5gXZ9XLJ9CldkArCOTsbU62XgKnTc3YvRMZQ7wCmE2fzwmAenAySTYsPms72JhggPWfdqVxri9YD5wBYKn8Ck0Fc5JIiVw9WlN2oxHBz83mRVsjoTGC5+cX1CdYqKuZ8pkvi0aCJIq07ZC8MHoTowUz+4jYJy9XeKqip83Z7BmUYxsePpNM+HtihBqTJIUYXJfX7Col5X0ACsApRoU9l6swfW/kzvqNpDJavhDBGasLrr5822+Fk5nVkcTi53f8Wbue7ODWjJxj1yhRYcxFCvXLtpYNB+Qa1aXtrBSdBdBI2p7o+6Imn+auHLBCzkrZqF/yd+d4vTn4tqHPLUj89XcHsMf96uBo3T/HQV8LEDeIO+6YvOK9FrIDYsvp+imN4n/mnF7eJKo9mpN/QqWJiawrFpAmMMxFKBjIdpgMnVUl3Z11RcWKyfOJ3kcmItTWcnZFNyDgR9cS0aU6QPlefa3uUW89uzBuHjcFdDl43yU3LE4qZnHLDcDgx4qt0OFCLiy51GXtEpyYs5k99YJBvKK+RyIs4Yc1/smBmClQUhxW+8bsPNOcXfDvH2yX4YzESoO4TV0RqiCgnsSd4zIFyJPiMKIGzVHiw6Kg0eGCmB4mGHEEZCQ0eN3SSPO0QVjjtBYfgXDZfVHSaAB8PjWBVNFimoViZZQrwT6Ygo0LU0Dd8+F5aHFYr4OPHPslr3hrgutEYXDTv1vTA6ABJGqknJ9Y2vtyWpy7aIwxc0kQq/1ezjs+RMVL/LRpGDnbx1/CGPDjZhYgZypKa55+PDhoaQxqkF3xCLz2DGoNHZYmFqxzAOsAK0vJZw4VcAk6ssbA6YIaMuiemEpxfLC9ZiXtRqsX9s+GWjjtA8JywOFMO+NKZm9BH/E5YNg2DDD3sHG9Mciwn7yJ6sdf8h2lAWlEExAOeiBNyshOHAQ0/S+x1ncWNiqY+Uh5n0rtonvePV2MsxVlEWR3AVHn1abcEWkzivd+G5kg7LYO0goqzGClcQfnFfZdO6KwcMXsBCnm9A1Bl4+k5LLokTIYH5/36SRIZ9j0CHGD77BQLE7x8AlNsoFS2m263tLLq78TFqvZUTIZIQcVIl+NInscS3xQbA38qqFqutCWIwoF1azuJ7woiJyMvnS3xzIpNzP+rzJ8VDXxjLjpEUBOC9WDs74+QMtsAdmh6g0KDclHEk8WJ4P2bnso4z3VCGoDT5X/0bS1C+jMZMKaOCNB21FZ08qgUHmKeDeg8ylENu+mh2Y/AaEDSGkGBHIfFbhMYO3uRxhk9hldiHEnHgdkXiVAAUWk/IhtmGijibO/L76vB74Xpes973uK+2iFKgNBk8qTLLZZnuWbcMQuA6VsFULRb/C+q9B21YuAWPMzvgBwr4EX2m/OpF5w8Q0HL7v1H5H0mIGJbrjnklUPoBYrw30W3uk7yF0KE6sfMukafFx0S9rBOL0RykGDPwC0lHSNySkXDeM5XvDJ+dtHK+RDwhJR+azfrWAHGMtZcQ+YVamjWVmHxXM03j3GeCXgqae1upwHzkPL5OwojcQ5MQi3Kv/1xtwY0cRN/yeZTOsXfujtqhkJj/Vltby4lnW4SCj4LjWQF19BY6zhzF4yybBA8bhhtoNP/zx8QkhHAkIROkK2ZVgfocCAPvfQ+vSrsIBO+L5cmg6mzFn4g84lsHscgXnszIlzUrzx/4Tam0uwuS9J1gddZ0I0QUt9SJzfsoBCTU0OgNMUtXKS5HvgXe7abexMtFH5eulOsAuFZkQ5LYJa/m4yHFInXzL/t3hjdTi2NmxUufvYzwIyffRTu5vS9vjscARD9lUQDHFQ/xgWe1i8EkRlrSfjlXt00+4//h2bcJKyTBT3IXwvKNsuY29V9/vU3HkvWKZ99zpSlmcZRuBa1BHbyPEvc0NlqIIoKidxqUvOR64MzudHhAjgWFP+IXojfhS3Gj9OJhBL7s",
                "nonce": "14b16c03dc1b"
            },
            "expire_time": "2028-09-17T23:15:58+08:00",
            "serial_no": "5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC"
        }
    ]
}`;

/** wechatpy's request-signing key (PKCS#1) and its signature of a GET with an empty body. */
export const V6_PRIVATE_KEY = unlabel(`-----BEGIN RSA TESTING KEY-----
MIIEpAIBAAKCAQEA0JrdKSiYkbcwgkmDrk7huFLKo8it78xldAsbXDyfRaVTDwZ7
AEg8jZ8ng3zGMRc5nkjozkODfukTDAqty+rUV07877UkqEqeQ/DFg70SrrGokQ5P
sgVtPPs39vR2yh9wAgSySCtXlSx/9BfV5XIpUTQsGRMpC6wcRNqTUTAETp4Ocw3b
q8jX5svP7AxwCK8TLJ5FzhNObtfyxwJQ8SRwoEUbA0Sv+IpEm4+ZYKIrTOmkiQRD
gPSjGkuHj+lmo1tybX2EGU6fSDu5wvcQmw2xHM59PIxJam3dh/pcB+ZegIsy+HsI
jfa/wkkpp3q3+NLcKeVTBDLXwOOfbZLdsCHsUQIDAQABAoIBAQChmSZ0qPcwApp4
g5yX3pGraa+DG4Xq+wsozyXd2TSFDmJ+hEWq3UrTZxSEHpemFdjTzqVSjCiEmuff
bzJdgsgF7rGwvEHugQeDmDRaLpEXdZcg79Y7EUsjb3VWQOD5CUuKtLqrf6/0Zqmk
nQZdHYf2WRVEQ3yLh0PK7wwqW6kqgI2uSyruczhQWJYSpAaX/PVzHPS/S55yFMTC
0BK4y3qC+nFXdRCP3XDjYD3UfSpR0k9Nv4Vdit5q21+lNHJdVnK9r2BiRqbh7LUB
Mse9NctLiuQbPVsjnv8oAVdf9necB6TY5IiEmH7eAf69sfc/FppRTnINTZ8D5iUv
1VY3Nm1xAoGBAPis2RuqeM+535MYZqiHE94g0jvT81H7TPX5J3iIf1BGoC2wYQKj
hf9zWJ7T79hx+9/SSY61hgFnGzro/pnjUcLv0wkAjL3Wg1Nbj6YB2IrH0yGApcXH
cPWYvI6WGOs11MEmQmis8v2lk4Q8f6S1/81Vzb2I1EaReznxRQYOT/ilAoGBANa/
3QkXn+utgXYwQGo0r53okDswqDv/be2+k7vra31Zy7ZBdzV6gJFVkie7NUgyDdZ2
gSqSHldI725MH1bX/ECFZTo/X0o34/t0P4fs5kNdWz9N05fREKsgrhshyi9czwmJ
HnErjVQ5f2Fv6zZFPZPb2T4JfMUQdiRG2LDeOGk9AoGBAMU+3QrLwf4KkiMr1KnS
Utj7MaaQ7MxXR2lHkp5RrqJvEriK0bf1GuFPjbiVpQYLC10ygHP42e0c6oVksCZC
H+U+sybNz9T4ZLxmwN9NUYRrEbXeRB9HnfrAhreWqPdQgIwgG8bJgAffIM5f6mMs
lVU6vPGcqbu7w4FnNXejPJ2dAoGAUJQ3jSTXNeipzj42vWM9jkPocr1EMxcaGX5M
EtQ4RhW+kYmpAGESAvaX296sFIXrmVBoESA40Emmxb08eSqcFV24aQ3EZKXqHr00
5Xznvdk21t8OCUZCOeQOUFHyeqkZapuP16ke476bZGVJXdjHTUbOEjAfKBaQLfaD
coI/qoUCgYAQ95E277LDuyX4QS4e8PSOw6yH7AHch+KCsVCteUFx3/q7zzR9iJwF
9xfLOBq8NSPEXK2icFdLqguUe8VRSExOlwX1B8k/GMdn5PJiOPSrD0IX0uBswm58
+UZIPNaDxT2ekPEsEw01bqD4sSbaq5pbPTkhTIznogL8+fzJJSd2Ng==
-----END RSA TESTING KEY-----`);
export const V6_MESSAGE = 'GET\ntest\n1651854037\n1E3A8D73B5A4AEE787C0F68B5DAB8520\n\n';
export const V6_SIGNATURE = `c4VewIfiOrSXkYtGqoZFzzjOr3LMhFFJRD5l18glbIUyXEF1wcG1euB4w5QdBlhgytM+28W7wmwqWTA8RsQWTBXR0YEXC6Mtd5xplSXlXghv7ORl0a2TRVQSuf/vhKOdXc54Ima3wqj8AOkMeaiswp8fdnwd6yq1s0bx6uchP9Q6PO0INGnpdH8NeKP21dlefeOc4H7OvnqHEyj/BsvdE1/DYUIFkw1q5fIAfxcUoqeXThtIL6ajLZgaaQJgYhPV7Cd6UMf5gY3yxKYWIWWHALtdWrn+pCcIPKrop/keqHE9wJPYtAP3uJ8UKohiHDft01X5ex0Es5Z12+lR9VLyEQ==`;

/** Derived with V1's key: a paySign, an Authorization signature and a whole TRANSACTION.SUCCESS notification. */
export const V8 = {
  paySignMessage:
    'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n',
  paySign: `UV+EKQ3OdnOkUbbKaVi53s/67T59JbHx9gc9MaWoQEOaiZH+uYMByfW2MWXTZW1gnOXl1CqwzHtx7QUxfatSdSxgBhbNhJx1QaxkP0zSXAgXIoWPAktOlj9n/phfOH95rNl8bHzRDUoNAMQmfQy8SHGooKtEU6/87nWXHhcYarv/nmtgAJcwsV+lGJQ4jLZhGl5BaAvpLW1Xg8yYg1DXNjik2SPK8d+4FRSkW671wIvxXQCYqG3mi3FvxP5XJ3OBVbPk4GRf/8wi2r2eiqXYd5e4mRMIAOGxqape9Cm46kxrjlHF0uM+wSir4Nychn2H5geUh2YvE8vJJMAqmkN2gg==`,
  authorizationMessage: 'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n',
  authorizationSignature: `RjVFHMcrr9NsM4SiNmpFx6QPR99WztxatBshmr/6f7pXnt2YSPAhmNrEEAjWgpOcf5Zxbwl2qdPACOsEOeGrnLD81nVK3ucJq50iD0FAyF11knd1C9ic7zV9Jg3zao0+Wx3yAI6jXx6NLBEfNNspCazrQ+IHsUi04tubSBsT+4LHT9j0rL9axFBl7jVYe7uZ1ZQzap8EokLHDQbYw6qPEOs85+a2rnudh3TCPe81oUfe0zPqwEE6sWxxeSCYx+1mbURsOAN4Z8/uKgOIZxbDAkqYWFb7VOaHFeejC1rsxUc7wkw0zQWxae1giswROXii1DorwdJ3CGlPchx0PyDjkQ==`,
  notification: {
    timestamp: '1700000000',
    nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    serial: 'D7CE59D1F522D701',
    signature: `OtDSglYNbQuqvM4b443qR7rY8Fjb+gPth5AupAV6LNA6OLE0sdZNgN76dWe6rEiVqwdLN0JKNrX1exdpLbA3tUzsgw40Tm8y5y3pjgqaQIuXBmiuVLKEfUoGN+4OcPzxZQqzdd0XdPrZ9H+DI436KtVQ/fCFJhMdx74ZW35REEeeG405t7aeActt161sd1MbSHC2Z5eDuM22y6J16IZki2+pcFjW7lcTxvE5m6BBq/nMdy4BHuAfCtL5RfF16W07TGtkvS69+j0jWbj/uMGOsrEtG9bkbRZXofiXI/c3XadG2Vh6989wsSq6Ynj7MEtT6bb08BMgdNytAPDMk6gC5w==`,
    body: `{"id":"EV-2018022511223320873","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"Y/YEfUnbjBvKjySBXpexHPMC5wc2rJu0ma+GDqJJTec+KU9KEjhe/1ycdad9F7sayxCU90ZRIDRRP3k0Q8C6+HrJ5eTgbTaEORoE2mN6L4zvytbkDjceOOVX+PcO8zfSqWelbBn/HTARoR/IJ8vaYvibDUCkftT9CMoL36cVDNZa98IeVU1hdSpKJPMWc48QDRnfSbdOmoGrYDrGIuaq+H4d277delFR1T00HFNYZvZPuIms2CHx3sOaWHZLStwaZQMkwM7dTb2AZMK6kuek1ZhPBVPRl3r/wvKKx59r/dZSePKbSZ9QVvW4aaBMA4XS98rlzg37g5ULu4yU8oCYBGIeaCRgXYBPosViGRKHb1iX4E+f1TMlQHNVfMkPHUfUyyCLrmyth6ceFG8ZVOYrX6+Srw3a0qrk7AG2pvIfy9WkbaOU+e4vTIhoO4k6LLQDSwsHgmXJV9kxFfLxrjEFktpQWAdJ2dFuMq1y5wPMTC/Svw+8b6V8tqfVBsxifA0josngM+SrMoQylk0ucQWvxQsPbjPH4RfLLytfnph5UBo4QtXds8tskhaoaXq4yoykQI7Ik8D6XQ/H8zuuT9wG","associated_data":"transaction","nonce":"fdasflkja484"}}`,
    apiV3Key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
    plaintext: `{"mchid":"1230000109","appid":"wx8888888888888888","out_trade_no":"1217752501201407033233368018","transaction_id":"4200000000000000000000000000","trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"OTHERS","attach":"","success_time":"2018-06-08T10:34:56+08:00","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}`,
  },
};

const [v8AppId, v8TimeStamp, v8NonceStr, v8Package] = V8.paySignMessage.split('\n');
const [v8Method, v8Url, v8Timestamp, v8Nonce] = V8.authorizationMessage.split('\n');

/** The same vectors grouped as the simulator's tests read them (one source of the copied data). */
export const WECHATPAY_VECTORS = {
  v1: { privateKey: V1_PRIVATE_KEY, message: 'source', signature: V1_SIGNATURE_OF_SOURCE },
  /** wechatpay-go's platform certificate, serial D7CE59D1F522D701: V1's public key */
  v2Certificate: V2_CERTIFICATE,
  v4: V4,
  v8: {
    payParams: { appId: v8AppId!, timeStamp: v8TimeStamp!, nonceStr: v8NonceStr!, package: v8Package!, paySign: V8.paySign },
    authorization: {
      method: v8Method!,
      url: v8Url!,
      timestamp: v8Timestamp!,
      nonce: v8Nonce!,
      signature: V8.authorizationSignature,
    },
    notification: { ...V8.notification, resourceNonce: JSON.parse(V8.notification.body).resource.nonce as string },
  },
};
