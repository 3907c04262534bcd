/// The event log of an earlier run, kept verbatim (the CRC of every line checks its bytes).
///
/// Written by `storefront serve` (PBKDF2 iterations 1000) on a fresh data directory with:
/// `storefront createsuperuser --username admin --password admin-password`; then over HTTP:
/// register `testuser` / `test12345`; log in twice as testuser (``userToken``, ``revokedToken``)
/// and log out ``revokedToken``; log in as admin (``adminToken``); create category "Skincare";
/// product "Sunscreen" (550, variants 100ml/White/50 and 200ml/Yellow/30); product "Towel" (300,
/// no variants); testuser orders 2 x variant 2 and 1 x Towel; admin sets it `shipped`; SIGTERM.
///
/// It is embedded here rather than kept as a `.jsonl` file because an undeclared file in the
/// test target's directory is a SwiftPM warning.
enum EarlierRunLog {
  static let userToken = "c4a9fcc5c2a58e54774027d8ee7a8fcdc18d4b12"
  static let revokedToken = "48fb82d521900b12264c868d911fdccb5f46da05"
  static let adminToken = "8384c640ca2c2d42c24533ef7c62e8898339a6b9"
  static let createdAt = "2026-11-28T00:30:11.119083Z"
  static let updatedAt = "2026-11-28T00:30:11.130154Z"

  /// The file `events.jsonl`, newline-terminated.
  static let contents = #"""
    {"format":"storefront-eventlog","version":1,"snapshot":0,"created":"2026-11-28T00:30:10.291290Z","crc":"7e3455d8"}
    {"seq":1,"ts":"2026-11-28T00:30:10.300650Z","type":"userRegistered","data":{"id":1,"username":"admin","email":"admin@example.com","password":"pbkdf2_sha256$1000$i7fpdEf0iVQBq4GfexMtb1$WIqysHqa+WAOv2OOnzOjVBImFlbeSaeIt9yxToDkez8=","is_staff":true,"date_joined":"2026-11-28T00:30:10.300468Z"},"crc":"1d21bd83"}
    {"seq":2,"ts":"2026-11-28T00:30:10.607532Z","type":"userRegistered","data":{"id":2,"username":"testuser","email":"test@example.com","password":"pbkdf2_sha256$1000$NXS0eSxJvJ7uJ2Z59IWBzU$W7Z+yaMIemuD/ekDnVzcu0uuJ0nNjFvRlhCkMFWCGDA=","is_staff":false,"date_joined":"2026-11-28T00:30:10.607441Z"},"crc":"7001fb87"}
    {"seq":3,"ts":"2026-11-28T00:30:10.620176Z","type":"tokenIssued","data":{"digest":"bb4ee62109b5a057b8bb49e7f33c435aae9f79f2d32ff14b57c092b4cadbcbc2","user_id":2,"created_at":"2026-11-28T00:30:10.619924Z"},"crc":"a5afb8c6"}
    {"seq":4,"ts":"2026-11-28T00:30:10.784606Z","type":"tokenIssued","data":{"digest":"1868d656b94363706b9222dcfc31a7c76059634e77743a56ec146dc41657c76c","user_id":2,"created_at":"2026-11-28T00:30:10.783251Z"},"crc":"306e7ef4"}
    {"seq":5,"ts":"2026-11-28T00:30:10.940085Z","type":"tokenRevoked","data":{"digest":"1868d656b94363706b9222dcfc31a7c76059634e77743a56ec146dc41657c76c"},"crc":"acfd5c4c"}
    {"seq":6,"ts":"2026-11-28T00:30:10.956226Z","type":"tokenIssued","data":{"digest":"c1d7dc12fb7a9940797ebfc9e072047b779898c862e3f6102276a45c63d1e596","user_id":1,"created_at":"2026-11-28T00:30:10.956060Z"},"crc":"fcfaaff1"}
    {"seq":7,"ts":"2026-11-28T00:30:11.078919Z","type":"categoryCreated","data":{"id":1,"name":"Skincare"},"crc":"74e01857"}
    {"seq":8,"ts":"2026-11-28T00:30:11.088186Z","type":"productCreated","data":{"id":1,"name":"Sunscreen","description":"SPF 30 sunscreen","price":550,"category":1,"variants":[{"id":1,"size":"100ml","color":"White","stock":50},{"id":2,"size":"200ml","color":"Yellow","stock":30}]},"crc":"9c282a1b"}
    {"seq":9,"ts":"2026-11-28T00:30:11.105308Z","type":"productCreated","data":{"id":2,"name":"Towel","description":"","price":300,"category":1,"variants":[]},"crc":"107b1c30"}
    {"seq":10,"ts":"2026-11-28T00:30:11.119226Z","type":"orderPlaced","data":{"id":1,"user":2,"user_name":"testuser","created_at":"2026-11-28T00:30:11.119083Z","items":[{"id":1,"product":1,"variant":2,"quantity":2,"price":550},{"id":2,"product":2,"variant":null,"quantity":1,"price":300}],"stock":[{"variant":2,"delta":-2}]},"crc":"1432ea26"}
    {"seq":11,"ts":"2026-11-28T00:30:11.130203Z","type":"orderStatusChanged","data":{"id":1,"status":"shipped","updated_at":"2026-11-28T00:30:11.130154Z","stock":[]},"crc":"5b5d493c"}
    """# + "\n"
}
