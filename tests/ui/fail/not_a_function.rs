#[weft::main]
struct Main;

#[weft::test]
const TEST: () = ();

fn main() {
    let _ = Main;
    let () = TEST;
    let _ = ALSO_NOT_A_FUNCTION;
}

#[weft::main(flavour = "current_thread")]
static ALSO_NOT_A_FUNCTION: u8 = 0;
