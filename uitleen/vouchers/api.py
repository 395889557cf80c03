"""REST API for voucher batches and codes (intake and coordinators; codes are secrets).

@role_required sits right under @blp.route, outside @blp.arguments, so a caller without
the role gets 401/403 before their input is read (and never a 422 that hints at fields).
"""

from flask.views import MethodView

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.contract import Blueprint
from uitleen.downloads import pdf_response
from uitleen.extensions import db
from uitleen.inputs import body_limit
from uitleen.vouchers import service
from uitleen.vouchers.schemas import (
    AssignedVoucherSchema,
    AssignInSchema,
    BatchInSchema,
    BatchWithStockSchema,
    ImportFileSchema,
    ImportReportSchema,
    IssuedReportSchema,
    RedeemInSchema,
    ReportQuerySchema,
    RevealedCodeSchema,
    RevokeInSchema,
    VoucherOutSchema,
    VoucherQuerySchema,
)

blp = Blueprint(
    "vouchers_api",
    __name__,
    url_prefix="/api/v1",
    description="Internet voucher batches and codes. Codes are masked except in the "
    "answer to an assignment and to a reveal (which is logged).",
)


@blp.route("/voucher-batches", methods=["GET"])
@role_required(INTAKE)
@blp.response(200, BatchWithStockSchema(many=True))
def list_batches():
    """All batches with their codes per status and a low-stock flag."""
    return service.with_stock(service.list_batches())


@blp.route("/voucher-batches", methods=["POST"])
@role_required(COORDINATOR)
@blp.arguments(BatchInSchema)
@blp.response(201, BatchWithStockSchema)
def create_batch(data):
    """Create an empty batch; import its codes next."""
    batch = service.create_batch(actor(), **data)
    db.session.commit()
    return service.with_stock([batch])[0]


# One rule for both methods: with a rule per method, werkzeug answered an id out of range
# with 405 for PUT instead of 404.
@blp.route("/voucher-batches/<int:batch_id>")
class BatchItem(MethodView):
    @role_required(INTAKE)
    @blp.response(200, BatchWithStockSchema)
    def get(self, batch_id: int):
        return service.with_stock([service.get_batch(batch_id)])[0]

    @role_required(COORDINATOR)
    @blp.arguments(BatchInSchema)
    @blp.response(200, BatchWithStockSchema)
    def put(self, data, batch_id: int):
        """Correct a batch: all fields, as on create; its codes stay as they are."""
        batch = service.update_batch(actor(), service.get_batch(batch_id), **data)
        db.session.commit()
        return service.with_stock([batch])[0]


@blp.route("/voucher-batches/<int:batch_id>/codes", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(COORDINATOR)
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportReportSchema)
@blp.alt_response(404, description="No such batch (batch_not_found)")
@blp.alt_response(409, description="The batch has expired (batch_expired)")
def import_codes(files, batch_id: int):
    """Import codes from a CSV or text file: all or nothing; repeats are counted, not added."""
    report = service.import_codes(actor(), service.get_batch(batch_id), files["file"].read())
    db.session.commit()
    return report


@blp.route("/vouchers", methods=["GET"])
@role_required(INTAKE)
@blp.arguments(VoucherQuerySchema, location="query")
@blp.response(200, VoucherOutSchema(many=True))
def list_vouchers(query):
    """Vouchers, codes masked; filter by batch, household and status, page with `after`."""
    return service.find_vouchers(**query)


@blp.route("/vouchers/assign", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(AssignInSchema)
@blp.response(201, AssignedVoucherSchema)
@blp.alt_response(
    409, description="No codes left in the batch (no_codes_left): import more or pick another"
)
def assign(data):
    """Hand the next code of a batch to a household; the only answer with the full code."""
    voucher = service.assign(actor(), **data)
    db.session.commit()
    return voucher


@blp.route("/vouchers/<int:voucher_id>", methods=["GET"])
@role_required(INTAKE)
@blp.response(200, VoucherOutSchema)
def get_voucher(voucher_id: int):
    return service.get_voucher(voucher_id)


@blp.route("/vouchers/<int:voucher_id>/redeem", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(RedeemInSchema)
@blp.response(200, VoucherOutSchema)
@blp.alt_response(
    409,
    description="Only an assigned voucher can be redeemed (wrong_status); it changed "
    "while this request ran (voucher_changed)",
)
def redeem(data, voucher_id: int):
    """Mark redeemed, after the household confirmed the code works."""
    voucher = service.redeem(actor(), service.get_voucher(voucher_id), **data)
    db.session.commit()
    return voucher


@blp.route("/vouchers/<int:voucher_id>/revoke", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(RevokeInSchema)
@blp.response(200, VoucherOutSchema)
@blp.alt_response(
    409,
    description="Already redeemed, revoked or expired (wrong_status); it changed while "
    "this request ran (voucher_changed)",
)
def revoke(data, voucher_id: int):
    """Take a code out of use with a reason; it is never handed out again."""
    voucher = service.revoke(actor(), service.get_voucher(voucher_id), **data)
    db.session.commit()
    return voucher


@blp.route("/vouchers/<int:voucher_id>/reveal", methods=["POST"])
@role_required(INTAKE)
@blp.response(200, RevealedCodeSchema)
def reveal(voucher_id: int):
    """Show one code in full; logged as voucher.revealed."""
    voucher = service.get_voucher(voucher_id)
    code = service.reveal(actor(), voucher)
    db.session.commit()
    return {"id": voucher.id, "code": code}


@blp.route("/vouchers/<int:voucher_id>/letter", methods=["POST"])
@role_required(INTAKE)
@blp.response(200, content_type="application/pdf", description="The voucher letter, one A4 page")
@blp.alt_response(409, description="The voucher is not handed out (wrong_status)")
def letter(voucher_id: int):
    """The letter for the household in its language (PDF); logged as voucher.letter_printed."""
    document = service.print_letter(actor(), service.get_voucher(voucher_id))
    db.session.commit()
    return pdf_response(document, service.letter_filename(voucher_id))


@blp.route("/vouchers/report", methods=["GET"])
@role_required(COORDINATOR)
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, IssuedReportSchema)
def report(query):
    """Vouchers issued from start to end, per month, provider and referral partner."""
    return service.issued_report(query["start"], query["end"])
